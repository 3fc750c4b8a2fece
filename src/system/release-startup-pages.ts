/**
 * @module Gives back the executable's resident pages once start-up is over. A compiled acoupi is
 * a 130 MB file mapped into memory; start-up (the CLI, config validation, the program's modules)
 * touches about 45 MB of its code and read-only data, and most of that is never used again by the
 * running scheduler, yet it stays counted in the runner's RSS. `madvise(MADV_PAGEOUT)` on those
 * file-backed, clean mappings unmaps them from this process; the pages stay in the page cache
 * (so they cost nothing to read again), and whatever the runner still uses faults back in, which
 * leaves RSS at the real working set. Anonymous memory (the heaps) is never touched. Linux ≥ 5.4;
 * on an older kernel or without libc it does nothing and says so at debug level.
 */
import { readFileSync, realpathSync } from "node:fs";
import { logger } from "../log.ts";

const MADV_PAGEOUT = 21;
const log = logger("memory");

export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  path: string;
}

/** The mappings in /proc/<pid>/maps text that are read-only or executable views of `file`. */
export function readOnlyMappingsOf(mapsText: string, file: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of mapsText.split("\n")) {
    const match = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (match === null) continue;
    const [, start, end, perms, path] = match as unknown as [string, string, string, string, string];
    if (path !== file || perms[1] === "w") continue;
    out.push({ start: BigInt(`0x${start}`), end: BigInt(`0x${end}`), perms, path });
  }
  return out;
}

/** RSS of this process in kB, from /proc/self/status. */
function rssKb(): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN);
}

/**
 * Pages out this process's read-only and executable mappings of its own executable; returns the
 * RSS drop in kB (0 when nothing could be done).
 */
export async function releaseExecutablePages(): Promise<number> {
  const exe = realpathSync("/proc/self/exe");
  const mappings = readOnlyMappingsOf(readFileSync("/proc/self/maps", "utf8"), exe);
  if (mappings.length === 0) return 0;
  const { dlopen, FFIType } = await import("bun:ffi");
  let madvise: (addr: bigint, length: bigint, advice: number) => number;
  try {
    const libc = dlopen("libc.so.6", { madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 } });
    madvise = libc.symbols.madvise as unknown as typeof madvise;
  } catch (error) {
    log.debug("Cannot load libc to release start-up pages:", error instanceof Error ? error.message : String(error));
    return 0;
  }
  const before = rssKb();
  let refused = 0;
  for (const m of mappings) if (madvise(m.start, m.end - m.start, MADV_PAGEOUT) !== 0) refused++;
  if (refused > 0) log.debug(`madvise(MADV_PAGEOUT) refused ${refused} of ${mappings.length} mappings of ${exe} (Linux < 5.4?)`);
  const released = Math.max(0, before - rssKb());
  log.debug(`Released ${(released / 1024).toFixed(1)} MB of start-up pages of ${exe}`);
  return released;
}

/** Seconds after the runner is ready: the first recording and file management have run by then. */
export const RELEASE_AFTER_MS = 20_000;

/** Releases the start-up pages once, RELEASE_AFTER_MS from now, on a timer that keeps nothing alive. */
export function scheduleStartupPageRelease(delayMs = RELEASE_AFTER_MS): void {
  if (process.env.ACOUPI_RUNTIME_TUNING === "0") return;
  const timer = setTimeout(() => {
    releaseExecutablePages().catch((error: unknown) => log.warn("Releasing start-up pages failed:", error));
  }, delayMs);
  timer.unref();
}
