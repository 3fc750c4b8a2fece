/**
 * @module Builds the compiled binaries once per source state for the build tests, with the real
 * build.ts, caching them in .tmp/build/<key>/ where the key hashes HEAD and every source file
 * (so an edit or a commit rebuilds; a rerun does not). Also runs a binary, natively or under
 * qemu-user with a given CPU model, against a temp home.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./cli.ts";

export type Target = "x64" | "arm64";

const SOURCES = ["src/**/*", "programs/**/*", "native/**/*", "build.ts", "package.json", "bun.lock", "bun.lockb"];

/** Hashes HEAD and every source file: the cache key of a build. */
export function sourceKey(): string {
  const hasher = new Bun.CryptoHasher("sha256");
  const head = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: REPO }).stdout.toString().trim();
  hasher.update(head);
  const files = new Set<string>();
  for (const pattern of SOURCES) for (const file of new Bun.Glob(pattern).scanSync({ cwd: REPO })) files.add(file);
  for (const file of [...files].sort()) hasher.update(file).update(readFileSync(join(REPO, file)));
  return hasher.digest("hex").slice(0, 16);
}

/** The path of the compiled binary for `target`, building it with build.ts if this source state has none yet. */
export function buildBinary(target: Target): string {
  const outdir = join(REPO, ".tmp", "build", sourceKey());
  const binary = join(outdir, `acoupi-linux-${target}`);
  if (existsSync(binary)) return binary;
  mkdirSync(outdir, { recursive: true });
  const proc = Bun.spawnSync([process.execPath, "build.ts", "--target", target, "--no-xz", "--outdir", outdir], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`build.ts --target ${target} failed:\n${proc.stderr.toString()}${proc.stdout.toString()}`);
  return binary;
}

/**
 * Whether `--version` output names this version and a commit of this repository's history (HEAD
 * or an ancestor: other work may commit between the build and the check), as build.ts stamps it.
 */
export function stampsVersionAndCommit(output: string, version: string): boolean {
  const match = /^acoupi (\S+) \(([0-9a-f]{12})(-dirty)?\)$/.exec(output.trim());
  if (match === null || match[1] !== version) return false;
  return Bun.spawnSync(["git", "merge-base", "--is-ancestor", match[2] as string, "HEAD"], { cwd: REPO }).exitCode === 0;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** argv prefix that runs `binary`: itself, or qemu-aarch64-static with QEMU_CPU=`cpu`. */
export function runner(binary: string, cpu?: string): { argv: string[]; env: Record<string, string> } {
  return cpu === undefined ? { argv: [binary], env: {} } : { argv: ["qemu-aarch64-static", binary], env: { QEMU_CPU: cpu } };
}

export function runBinary(prefix: { argv: string[]; env: Record<string, string> }, args: string[], env: Record<string, string>, cwd?: string): Run {
  const proc = Bun.spawnSync([...prefix.argv, ...args], {
    env: { ...process.env, ...env, ...prefix.env },
    cwd: cwd ?? REPO,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 120_000,
  });
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

/** The JSON a `task run` printed last. */
export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "null");
}
