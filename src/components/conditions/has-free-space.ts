/**
 * @module hasFreeSpace: record only while the filesystem holding `path` has more than
 * `min_free_mb` megabytes (10^6 bytes, as acoupi's default decimal units) free for unprivileged
 * users (statfs f_bavail × f_bsize), so a full RAM disk or SD card stops new recordings.
 */
import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { expandPath } from "../../config/types.ts";
import { AcoupiError } from "../../errors.ts";
import type { RecordingCondition } from "./types.ts";

const MB = 1_000_000;

/**
 * Bytes free to unprivileged users on the filesystem holding `path`. A folder that is gone (an
 * SD card remounted, a USB disk re-plugged) is measured at its nearest existing parent, where it
 * will be re-created, so its absence never stops recording by itself.
 */
export function freeBytes(path: string): number {
  try {
    let at = path;
    for (;;) {
      try {
        const stats = statfsSync(at);
        return Number(stats.bavail) * Number(stats.bsize);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(at) === at) throw error;
        at = dirname(at);
      }
    }
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
