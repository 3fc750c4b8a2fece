/**
 * @module Cross-compiles acoupi into one self-contained binary per target:
 * `dist/acoupi-linux-x64` and `dist/acoupi-linux-arm64`, each with the capture worker, the ORT
 * WASM and the bundled assets embedded, the version and git commit stamped in, plus a
 * SHA256SUMS file and xz-compressed copies.
 *
 *   bun build.ts                      both targets, with xz copies
 *   bun build.ts --target x64 --no-xz one target, no compression (fast, for tests)
 *   bun build.ts --version 1.2.0 --release-key key.pub
 *                                     a release: the tag's version (not package.json's), and the
 *                                     public key self-update trusts (scripts/release.sh passes both)
 *
 * Offline: the arm64 runtime comes from the npm registry on the first build and is cached in
 * ~/.bun/install/cache. Without network, `npm pack @oven/bun-linux-aarch64@<bun version>`, untar
 * it, and set ACOUPI_BUN_ARM64=<that package/bin/bun> (passed as --compile-executable-path).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const ROOT = import.meta.dir;
const DIST = join(ROOT, "dist");
const ORDER_FILE = join(ROOT, "assets/bytecode-order.txt");
const TARGETS = {
  x64: { bunTarget: "bun-linux-x64", override: "ACOUPI_BUN_X64" },
  arm64: { bunTarget: "bun-linux-arm64", override: "ACOUPI_BUN_ARM64" },
} as const;
type TargetName = keyof typeof TARGETS;

/** Entry points: the CLI, plus every Worker file (a compiled binary only embeds them if listed). */
const ENTRIES = ["src/cli/main.ts", "src/components/recorders/capture-worker.ts", "src/web/page-worker.ts", "src/components/models/model-worker.ts"].filter((p) => existsSync(join(ROOT, p)));

function gitCommit(): string {
  const proc = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: ROOT });
  if (proc.exitCode !== 0) return "unknown";
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: ROOT }).stdout.toString().trim();
  return `${proc.stdout.toString().trim()}${dirty ? "-dirty" : ""}`;
}

interface BuildArgs {
  targets: TargetName[];
  xz: boolean;
  outdir: string;
  /** Stamped instead of package.json's version (a release tag without its "v"). */
  version: string | null;
  /** The OpenSSH public key line built in as the release signing key. */
  releaseKey: string | null;
}

function parseArgs(argv: string[]): BuildArgs {
  let targets: TargetName[] = ["x64", "arm64"];
  let xz = true;
  let outdir = DIST;
  let version: string | null = null;
  let releaseKey: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-xz") xz = false;
    else if (arg === "--target") {
      const value = argv[++i] ?? "";
      targets = value === "all" ? ["x64", "arm64"] : value.split(",").map((t) => {
        if (!(t in TARGETS)) throw new Error(`Unknown target "${t}": use x64, arm64 or all`);
        return t as TargetName;
      });
    } else if (arg === "--outdir") outdir = argv[++i] ?? DIST;
    else if (arg === "--version") {
      version = argv[++i] ?? "";
      if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/.test(version)) throw new Error(`--version "${version}" is not a version such as 1.2.0 or 1.2.0-rc.1`);
    } else if (arg === "--release-key") {
      const file = argv[++i] ?? "";
      releaseKey = readFileSync(file, "utf8").trim();
      if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+) \S+/.test(releaseKey)) throw new Error(`--release-key ${file} does not hold an OpenSSH public key`);
    } else throw new Error(`Unknown option ${arg}`);
  }
  return { targets, xz, outdir, version, releaseKey };
}

async function compile(target: TargetName, args: BuildArgs, commit: string): Promise<string> {
  const outdir = args.outdir;
  const outfile = join(outdir, `acoupi-linux-${target}`);
  const { bunTarget, override } = TARGETS[target];
  const cmd = [
    // Bytecode skips parsing the bundle at start: `--help` drops from ~55 ms to ~15 ms. It needs ESM.
    process.execPath, "build", "--compile", `--target=${bunTarget}`, "--bytecode", "--format=esm", "--minify-syntax", "--minify-whitespace",
    `--define`, `ACOUPI_BUILD_COMMIT=${JSON.stringify(commit)}`, "--outfile", outfile, ...ENTRIES,
  ];
  // The default runner's functions laid out together (scripts/bytecode-order.ts): fewer resident pages.
  if (existsSync(ORDER_FILE)) cmd.splice(3, 0, `--bytecode-order=${ORDER_FILE}`);
  if (args.version !== null) cmd.splice(3, 0, "--define", `ACOUPI_BUILD_VERSION=${JSON.stringify(args.version)}`);
  if (args.releaseKey !== null) cmd.splice(3, 0, "--define", `ACOUPI_BUILD_RELEASE_KEY=${JSON.stringify(args.releaseKey)}`);
  const executable = process.env[override];
  if (executable) cmd.splice(3, 0, `--compile-executable-path=${executable}`);
  const proc = Bun.spawnSync(cmd, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) {
    throw new Error(`bun build for ${target} failed:\n${proc.stderr.toString()}${proc.stdout.toString()}`);
  }
  return outfile;
}

function sha256(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { targets, xz, outdir } = args;
  mkdirSync(outdir, { recursive: true });
  const commit = gitCommit();
  const files: string[] = [];
  for (const target of targets) {
    const started = performance.now();
    const outfile = await compile(target, args, commit);
    files.push(outfile);
    console.log(`${basename(outfile)}: ${(statSync(outfile).size / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (xz) {
      const proc = Bun.spawnSync(["xz", "-T0", "-6", "-k", "-f", outfile]);
      if (proc.exitCode !== 0) throw new Error(`xz failed: ${proc.stderr.toString()}`);
      files.push(`${outfile}.xz`);
      console.log(`${basename(outfile)}.xz: ${(statSync(`${outfile}.xz`).size / 1e6).toFixed(1)} MB`);
    }
  }
  const sums = files.map((f) => `${sha256(f)}  ${basename(f)}`).join("\n");
  writeFileSync(join(outdir, "SHA256SUMS"), `${sums}\n`);
  console.log(`commit ${commit}; checksums in ${join(outdir, "SHA256SUMS")}`);
}

await main();
