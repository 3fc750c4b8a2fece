/**
 * @module The input level the page shows while the sensor records: the peak and RMS of the
 * newest recording that is on disk, read from its file (a few hundred kB, no sample copy). At a
 * recording every few seconds this is as live as the page needs; `/level` serves it as JSON for
 * the page's small polling script.
 */
import type { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { pcm16Level } from "../audio/level.ts";
import { iterateRecordings } from "../components/stores/queries/listings.ts";

export interface InputLevel {
  recording_id: string;
  created_on: string;
  peak_dbfs: number | null;
  rms_dbfs: number | null;
}

/** The level of the newest recording with a file (looking at the newest few), or null. */
export function latestInputLevel(db: Database): InputLevel | null {
  for (const r of iterateRecordings(db, { order: "newest", limit: 3 })) {
    if (r.path === null || !existsSync(r.path)) continue;
    let level: ReturnType<typeof pcm16Level>;
    try {
      level = pcm16Level(readFileSync(r.path));
    } catch (error) {
      // The file may move between the query and the read (file management): try the next one.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const round = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10) / 10);
    return { recording_id: r.id, created_on: r.created_on, peak_dbfs: round(level?.peakDbfs), rms_dbfs: round(level?.rmsDbfs) };
  }
  return null;
}
