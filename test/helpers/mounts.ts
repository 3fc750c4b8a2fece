/**
 * @module Small filesystems for tests of full and read-only media. As root, a size-limited tmpfs
 * (really full: ENOSPC) and a read-only bind mount (really read-only: EROFS); without root the
 * read-only medium is a folder with its write bits removed, and a full disk has no stand-in here
 * (the file-size limit, `ulimit -f`, is the loop-free one the tests use alongside). Every mount is
 * undone by its `release`.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Mounted {
  path: string;
  release(): void;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function run(argv: string[]): boolean {
  return Bun.spawnSync(argv, { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

/** A tmpfs of `bytes` at a new folder, or null where it cannot be mounted (not root, no tmpfs). */
export function smallTmpfs(bytes: number): Mounted | null {
  if (!isRoot()) return null;
  const path = mkdtempSync(join(tmpdir(), "acoupi-tmpfs-"));
  if (!run(["mount", "-t", "tmpfs", "-o", `size=${bytes},mode=0755`, "tmpfs", path])) {
    rmSync(path, { recursive: true, force: true });
    return null;
  }
  return {
    path,
    release() {
      run(["umount", path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Whether readOnlyView works here (as root it needs mount; a container may forbid it). */
export function canViewReadOnly(): boolean {
  if (!isRoot()) return true;
  const probe = mkdtempSync(join(tmpdir(), "acoupi-ro-probe-"));
  try {
    readOnlyView(probe).release();
    return true;
  } catch {
    // mount refused (no CAP_SYS_ADMIN in this container): the read-only tests are skipped.
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** `dir` seen read-only: a read-only bind mount as root, else `dir` with its write bits removed. */
export function readOnlyView(dir: string): Mounted {
  if (isRoot()) {
    const path = mkdtempSync(join(tmpdir(), "acoupi-ro-"));
    if (run(["mount", "--bind", dir, path]) && run(["mount", "-o", "remount,bind,ro", path])) {
      return {
        path,
        release() {
          run(["umount", path]);
          rmSync(path, { recursive: true, force: true });
        },
      };
    }
    run(["umount", path]);
    rmSync(path, { recursive: true, force: true });
    throw new Error(`Cannot mount ${dir} read-only here`);
  }
  for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o444);
  chmodSync(dir, 0o555);
  return {
    path: dir,
    release() {
      chmodSync(dir, 0o755);
    },
  };
}
