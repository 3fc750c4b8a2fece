/**
 * @module The run lock: an exclusive `flock(2)` on `run/acoupi.lock`, taken through libc by
 * bun:ffi. The runner holds it for as long as it lives, and `acoupi start` holds it while it checks
 * for an active deployment and writes a new one, so of any number of concurrent starts exactly one
 * creates the deployment. The kernel drops the lock when its holder dies (kill -9, power cut),
 * so a stale lock is impossible; the pidfile only says who holds it. libc is opened on first use,
 * never at import.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { errno, libc, strerror } from "../../native/libc.ts";
import { DeploymentError } from "../errors.ts";

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
/** EWOULDBLOCK (= EAGAIN) on Linux, x86_64 and aarch64 alike. */
const EWOULDBLOCK = 11;
const EINTR = 4;

/** An acquired run lock; `release` unlocks and closes it (exiting does the same). */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Tries once to take the lock: the lock, or null when another process holds it. */
export function tryRunLock(path: string): RunLock | null {
  mkdirSync(dirname(path), { recursive: true });
  // Bun opens with O_CLOEXEC, so no child process inherits (and keeps) the lock.
  const fd = openSync(path, "a", 0o644);
  const lib = libc();
  for (;;) {
    if (lib.flock(fd, LOCK_EX | LOCK_NB) === 0) break;
    const code = errno();
    if (code === EINTR) continue;
    closeSync(fd);
    if (code === EWOULDBLOCK) return null;
    throw new DeploymentError(`Cannot lock ${path}: ${strerror(code)}`, { help: "Check that the acoupi home is writable" });
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      lib.flock(fd, LOCK_UN);
      closeSync(fd);
    },
  };
}

/**
 * Takes the lock, retrying every 25 ms for up to `waitMs` while another process holds it.
 * `giveUp` is asked on each failed try and may throw at once (e.g. when a live runner holds it).
 */
export async function acquireRunLock(path: string, waitMs: number, giveUp: () => void): Promise<RunLock | null> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const lock = tryRunLock(path);
    if (lock !== null) return lock;
    giveUp();
    if (performance.now() >= deadline) return null;
    await Bun.sleep(25);
  }
}
