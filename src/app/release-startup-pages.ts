/**
 * @module Gives back the executable's resident pages once start-up is over. A compiled acoupi is
 * a 130 MB file mapped into memory; start-up (the CLI, config validation, the program's modules)
 * touches about 45 MB of its code and read-only data, and most of that is never used again by the
 * running scheduler, yet it stays counted in the runner's RSS. `madvise(MADV_PAGEOUT)` on those
 * file-backed, clean mappings unmaps them from this process; the pages stay in the page cache
 * (so they cost nothing to read again), and whatever the runner still uses faults back in, which
 * leaves RSS at the real working set. Anonymous memory (the heaps) is never touched. Linux ≥ 5.4;
 * on an older kernel or without libc it does nothing and says so at debug level.
 *
 * The executable's writable mapping holds the embedded files (ORT's 14 MB WASM, Silero's model):
 * reading them makes about 16 MB resident that is never read again once ORT has instantiated.
 * There only the pages `/proc/self/pagemap` shows as clean file pages are paged out; a page the
 * process wrote to (copy-on-write, anonymous) is left alone, so nothing is ever swapped out.
 */
import { closeSync, openSync, readFileSync, readSync, realpathSync } from "node:fs";
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

/** The writable private mappings of `file` (its data, and in a compiled acoupi its embedded files). */
export function writableMappingsOf(mapsText: string, file: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of mapsText.split("\n")) {
    const match = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (match === null) continue;
    const [, start, end, perms, path] = match as unknown as [string, string, string, string, string];
    if (path !== file || perms[1] !== "w" || perms[3] !== "p") continue;
    out.push({ start: BigInt(`0x${start}`), end: BigInt(`0x${end}`), perms, path });
  }
  return out;
}

const PRESENT = 1n << 63n;
const FILE_PAGE = 1n << 61n;

/**
 * Runs of pages that are resident and still file pages (never written), from pagemap entries
 * (one 64-bit entry a page: bit 63 present, bit 61 file page or shared anonymous), as
 * [first page index, page count].
 */
export function cleanFileRuns(entries: BigUint64Array): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let first = -1;
  for (let i = 0; i <= entries.length; i++) {
    const entry = i < entries.length ? (entries[i] as bigint) : 0n;
    const clean = (entry & PRESENT) !== 0n && (entry & FILE_PAGE) !== 0n;
    if (clean && first < 0) first = i;
    if (!clean && first >= 0) {
      runs.push([first, i - first]);
      first = -1;
    }
  }
  return runs;
}

/** The clean file-page ranges of a mapping, as [address, length] in bytes. */
function cleanRangesOf(mapping: Mapping, pageSize: number): Array<[bigint, bigint]> {
  const pages = Number((mapping.end - mapping.start) / BigInt(pageSize));
  const bytes = new Uint8Array(pages * 8);
  const fd = openSync("/proc/self/pagemap", "r");
  try {
    readSync(fd, bytes, 0, bytes.byteLength, Number(mapping.start / BigInt(pageSize)) * 8);
  } finally {
    closeSync(fd);
  }
  const entries = new BigUint64Array(bytes.buffer);
  return cleanFileRuns(entries).map(([first, count]) => [mapping.start + BigInt(first * pageSize), BigInt(count * pageSize)]);
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
  const maps = readFileSync("/proc/self/maps", "utf8");
  const mappings = readOnlyMappingsOf(maps, exe);
  if (mappings.length === 0) return 0;
  const { dlopen, FFIType } = await import("bun:ffi");
  let madvise: (addr: bigint, length: bigint, advice: number) => number;
  let pageSize: number;
  try {
    const libc = dlopen("libc.so.6", {
      madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
      getpagesize: { args: [], returns: FFIType.i32 },
    });
    madvise = libc.symbols.madvise as unknown as typeof madvise;
    pageSize = (libc.symbols.getpagesize as unknown as () => number)();
  } catch (error) {
    log.debug("Cannot load libc to release start-up pages:", error instanceof Error ? error.message : String(error));
    return 0;
  }
  const before = rssKb();
  const ranges: Array<[bigint, bigint]> = mappings.map((m) => [m.start, m.end - m.start]);
  for (const m of writableMappingsOf(maps, exe)) {
    try {
      ranges.push(...cleanRangesOf(m, pageSize));
    } catch (error) {
      log.debug(`Cannot read /proc/self/pagemap for ${exe}'s data:`, error instanceof Error ? error.message : String(error));
    }
  }
  let refused = 0;
  for (const [start, length] of ranges) if (madvise(start, length, MADV_PAGEOUT) !== 0) refused++;
  if (refused > 0) log.debug(`madvise(MADV_PAGEOUT) refused ${refused} of ${ranges.length} ranges of ${exe} (Linux < 5.4?)`);
  const released = Math.max(0, before - rssKb());
  log.debug(`Released ${(released / 1024).toFixed(1)} MB of start-up pages of ${exe}`);
  return released;
}

/** Seconds after the runner is ready: the first recording and file management have run by then. */
export const RELEASE_AFTER_MS = 20_000;

/** Set once the runner scheduled its release: only a runner releases its pages. */
let runnerReleases = false;

/** Releases the start-up pages once, RELEASE_AFTER_MS from now, on a timer that keeps nothing alive. */
export function scheduleStartupPageRelease(delayMs = RELEASE_AFTER_MS): void {
  if (process.env.ACOUPI_RUNTIME_TUNING === "0") return;
  // The first release (at start-up) is said once at info level: the runner's log shows it happened.
  const first = !runnerReleases;
  runnerReleases = true;
  const timer = setTimeout(() => {
    releaseExecutablePages()
      .then((releasedKb) => {
        if (first) log.info(`Gave back ${(releasedKb / 1024).toFixed(1)} MB of start-up pages (RSS now ${(rssKb() / 1024).toFixed(1)} MB)`);
      })
      .catch((error: unknown) => log.warn("Releasing start-up pages failed:", error));
  }, delayMs);
  timer.unref();
}

/** True in a runner, which gives its start-up pages back (so a Worker it starts may do so too). */
export function runnerReleasesPages(): boolean {
  return runnerReleases;
}

/**
 * In a runner (one that scheduled its start-up release), releases again `delayMs` from now: for
 * work that reads big embedded files later, like ORT's WASM at the first privacy screen, which
 * may come long after start when recordings are scheduled for the night. Elsewhere it does nothing.
 */
export function releasePagesAgain(delayMs = 1000): void {
  if (runnerReleases) scheduleStartupPageRelease(delayMs);
}
