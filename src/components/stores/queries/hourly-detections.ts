/**
 * @module The queries behind the page's charts (web/hourly-counts.ts keeps the counts in memory):
 * the model outputs' rowid range (rowids only grow as outputs are added, so a range is "what was
 * written since"), and the detections per label per UTC hour of their recording for one range of
 * model outputs. A detection counts under its most confident tag, or its model's name when it has
 * none.
 */
import type { Database } from "bun:sqlite";
import { TOP_TAG_ANY_KEY } from "./report-filters.ts";

/** The rowid of the newest model output (0 when there is none). */
export function newestOutputRowid(db: Database): number {
  return db.query<{ top: number | null }, []>("SELECT max(rowid) AS top FROM model_outputs").get()?.top ?? 0;
}

/** The rowid of the first model output created at or after `since` (ISO text), or null when there is none. */
export function firstOutputRowidSince(db: Database, since: string): number | null {
  return db.query<{ first: number | null }, [string]>("SELECT min(rowid) AS first FROM model_outputs WHERE created_on >= ?").get(since)?.first ?? null;
}

export interface HourlyRange {
  /** Count model outputs with rowid in (last, top]. */
  last: number;
  top: number;
  /** Only recordings created at or after this (ISO text). */
  since: string;
  /** Only model outputs created at or after this (ISO text; the created_on index bounds the walk). */
  outputsSince: string;
}

/** Detections per UTC hour (`YYYY-MM-DDTHH`) and label, for the model outputs in the range. */
export function detectionsPerHour(db: Database, range: HourlyRange): Array<{ bucket: string; label: string; count: number }> {
  const sql = `SELECT substr(r.created_on, 1, 13) AS bucket, coalesce(t.value, m.name_model) AS label, count(*) AS count
      FROM model_outputs m CROSS JOIN recordings r ON r.id = m.recording_id JOIN detections d ON d.model_output_id = m.id ${TOP_TAG_ANY_KEY}
      WHERE m.rowid > $last AND m.rowid <= $top AND m.created_on >= $outputsSince AND r.created_on >= $since
      GROUP BY bucket, label`;
  return db.query<{ bucket: string; label: string; count: number }, [Record<string, string | number>]>(sql).all({ ...range });
}
