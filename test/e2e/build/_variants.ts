/**
 * @module Other releases of acoupi for the self-update tests, built with the real build.ts from a
 * copy of this source tree with a few lines changed, as a later (good or broken) version would
 * be: e.g. one whose runner exits at once, or one with a new schema migration. Cached per source
 * state and patch in .tmp/build/variant-<hash>/. Also packs a binary as a signed release folder.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../helpers/cli.ts";
import { sourceKey } from "../../helpers/binaries.ts";
import { signFolder } from "./_release.ts";

/** One textual change: `find` must occur exactly once in `file`. */
export interface Patch {
  file: string;
  find: string;
  replace: string;
}

const TREE = ["src", "programs", "native", "assets", "types", "build.ts", "package.json", "tsconfig.json", "bunfig.toml"];

/** Builds acoupi-linux-x64 stamped `version` from this tree with `patches` applied; returns its path. */
export function buildVariant(version: string, patches: Patch[]): string {
  const key = new Bun.CryptoHasher("sha256").update(sourceKey()).update(version).update(JSON.stringify(patches)).digest("hex").slice(0, 16);
  const base = join(REPO, ".tmp", "build", `variant-${key}`);
  const binary = join(base, "acoupi-linux-x64");
  if (existsSync(binary)) return binary;
  const tree = join(base, "tree");
  rmSync(base, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  for (const entry of TREE) if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(tree, entry), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(tree, "node_modules"));
  for (const patch of patches) {
    const file = join(tree, patch.file);
    const text = readFileSync(file, "utf8");
    if (text.split(patch.find).length !== 2) throw new Error(`The patch for ${patch.file} must match exactly once: ${JSON.stringify(patch.find)}`);
    writeFileSync(file, text.replace(patch.find, patch.replace));
  }
  const proc = Bun.spawnSync([process.execPath, "build.ts", "--target", "x64", "--no-xz", "--outdir", base, "--version", version], { cwd: tree, stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`build.ts for variant ${version} failed:\n${proc.stderr.toString()}${proc.stdout.toString()}`);
  // The link first, on its own: the shared node_modules behind it must never be walked into.
  unlinkSync(join(tree, "node_modules"));
  rmSync(tree, { recursive: true, force: true });
  return binary;
}

/** A release folder holding `binary` as acoupi-linux-x64.xz, VERSION, SHA256SUMS and its signature. */
export function packRelease(dir: string, binary: string, version: string, keyFile: string): string {
  mkdirSync(dir, { recursive: true });
  const xz = Bun.spawnSync(["sh", "-c", 'xz -0 -T0 -c "$1" > "$2"', "sh", binary, join(dir, "acoupi-linux-x64.xz")]);
  if (xz.exitCode !== 0) throw new Error(`xz failed: ${xz.stderr.toString()}`);
  writeFileSync(join(dir, "VERSION"), `${version}\n`);
  signFolder(dir, ["acoupi-linux-x64.xz", "VERSION"], keyFile);
  return dir;
}
