/**
 * @module Builds the compiled binaries once per source state for the tests, with the real
 * build.ts, caching them in .tmp/build/<key>/ where the key hashes HEAD and every source file
 * (so an edit or a commit rebuilds; a rerun does not). Safe when several test processes ask at
 * once (`bun test --parallel`, two suites side by side): one process takes a lock file and builds
 * into a folder of its own, then renames the binary into place, so no one ever runs a half-written
 * file; the others wait for the binary, and take the lock over if its holder died. Also runs a
 * binary, natively or under qemu-user with a given CPU model, against a temp home.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

/** How long a process waits for another one's build before giving up. */
const BUILD_WAIT_MS = 10 * 60_000;

/** The path of the compiled binary for `target`, building it with build.ts if this source state has none yet. */
export function buildBinary(target: Target): string {
  return buildBinaryIn(target, join(REPO, ".tmp", "build", sourceKey())).path;
}

/**
 * The binary for `target` in the cache folder `keyDir`, built there unless it is there already;
 * `built` says whether this process built it. The lock only saves duplicate work: correctness
 * comes from building aside and renaming, so two builders (say, after a stale lock was taken
 * twice) each put a whole binary in place.
 */
export function buildBinaryIn(target: Target, keyDir: string): { path: string; built: boolean } {
  const binary = join(keyDir, `acoupi-linux-${target}`);
  let built = false;
  if (existsSync(binary)) return { path: binary, built };
  mkdirSync(keyDir, { recursive: true });
  const lock = join(keyDir, `${target}.lock`);
  const deadline = performance.now() + BUILD_WAIT_MS;
  while (!existsSync(binary)) {
    if (takeLock(lock)) {
      try {
        if (!existsSync(binary)) {
          buildInto(target, keyDir, binary);
          built = true;
        }
      } finally {
        rmSync(lock, { force: true });
      }
    } else {
      if (performance.now() > deadline) throw new Error(`Timed out waiting for another process to build ${binary} (lock ${lock})`);
      Bun.sleepSync(200);
    }
  }
  return { path: binary, built };
}

/**
 * Creates the lock file holding this pid (written aside, then hard-linked into place, so the lock
 * is never seen empty); false while a live process holds it. A dead holder's lock is removed.
 */
function takeLock(lock: string): boolean {
  const mine = `${lock}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    linkSync(mine, lock);
    return true;
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
  } finally {
    rmSync(mine, { force: true });
  }
  let holder: number;
  try {
    holder = Number(readFileSync(lock, "utf8"));
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return false; // just released: try again
    throw error;
  }
  if (!isAlive(holder)) rmSync(lock, { force: true });
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

/** Builds into a private folder, then renames the binary to `binary` (atomic on one file system). */
function buildInto(target: Target, keyDir: string, binary: string): void {
  const scratch = join(keyDir, `.building-${target}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
  try {
    const proc = Bun.spawnSync([process.execPath, "build.ts", "--target", target, "--no-xz", "--outdir", scratch], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    if (proc.exitCode !== 0) throw new Error(`build.ts --target ${target} failed:\n${proc.stderr.toString()}${proc.stdout.toString()}`);
    renameSync(join(scratch, `acoupi-linux-${target}`), binary);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
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
