/**
 * @module hasFreeSpace: record only while the filesystem holding `path` has more than
 * `min_free_mb` megabytes (10^6 bytes, as acoupi's default decimal units) free for unprivileged
 * users (statfs f_bavail × f_bsize), so a full RAM disk or SD card stops new recordings.
 */
import { statfsSync } from "node:fs";
import { expandPath } from "../../config/types.ts";
import { AcoupiError } from "../../errors.ts";
import type { RecordingCondition } from "./types.ts";

const MB = 1_000_000;

/** Bytes free to unprivileged users on the filesystem holding `path`. */
export function freeBytes(path: string): number {
  try {
    const stats = statfsSync(path);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch (cause) {
    throw new AcoupiError("disk", `Cannot read free space of "${path}": ${cause instanceof Error ? cause.message : String(cause)}`, {
      help: "Check that the path exists, or set its folder in the free space condition",
      cause,
    });
  }
}

/** Throws (an AcoupiError, caught and counted by the scheduler) when `path` cannot be read. */
export function hasFreeSpace(config: { path: string; min_free_mb: number }): RecordingCondition {
  const path = expandPath(config.path);
  const minBytes = config.min_free_mb * MB;
  return () => freeBytes(path) > minBytes;
}
