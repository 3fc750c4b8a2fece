/**
 * @module When a recording brought to `acoupi analyze` started, in absolute time. The GUANO
 * `Timestamp` wins when it states a UTC offset (`2024-05-01T19:00:00+01:00`, or `Z`). Otherwise an
 * AudioMoth-style name (`YYYYMMDD_HHMMSS.WAV`, also acoupi's `YYYYMMDD_HHMMSS_mmm_…`) is read in
 * UTC, which is what AudioMoth writes unless its clock was set to local time. A GUANO timestamp
 * with no offset (local time by the GUANO spec, in a zone the file does not name) is read as UTC
 * too, and the file's modification time is the last resort. `source` says which one was used.
 */
import { timeFromRecordingName } from "../audio/recording-file.ts";

export type StartSource = "guano" | "name" | "guano-no-offset" | "mtime";

export interface StartTime {
  start: Date;
  source: StartSource;
}

/** An ISO 8601 timestamp ends with `Z` or `±HH:MM` / `±HHMM` when it states its offset. */
const OFFSET_RE = /(Z|[+-]\d{2}:?\d{2})$/i;

function parsed(text: string): Date | null {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** False for a name like `20241332_250000` whose fields overflow into another date. */
function realDate(fileName: string, date: Date): boolean {
  const digits = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}_${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return fileName.startsWith(digits);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The start of a recording from its GUANO `Timestamp`, its file name and its modification time. */
export function recordingStart(options: { guanoTimestamp?: string | undefined; fileName: string; mtime: Date }): StartTime {
  const stamp = options.guanoTimestamp?.trim();
  if (stamp !== undefined && stamp !== "" && OFFSET_RE.test(stamp)) {
    const date = parsed(stamp);
    if (date !== null) return { start: date, source: "guano" };
  }
  const fromName = timeFromRecordingName(options.fileName);
  if (fromName !== null && realDate(options.fileName, fromName)) return { start: fromName, source: "name" };
  if (stamp !== undefined && stamp !== "") {
    const date = parsed(`${stamp.replace(" ", "T")}Z`);
    if (date !== null) return { start: date, source: "guano-no-offset" };
  }
  return { start: options.mtime, source: "mtime" };
}
