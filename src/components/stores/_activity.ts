/**
 * @module What the sensor did in a time range, read from the metadata store for Home Assistant's
 * state: how many recordings and detections, and the latest detection ever (its best tag's label
 * and its score); and the predicted tags of a range, for the summarisers. Read-only; the ranges
 * are half-open.
 */
import type { Database } from "bun:sqlite";
import { sqlTime } from "../../system/sqlite-helpers.ts";
import type { PredictedTagRow, StoreActivity } from "./types.ts";

/** Tags whose model output was created in [after, before), with their detection's score. */
export function readPredictedTags(db: Database, range: { after: Date; before: Date }): PredictedTagRow[] {
  const sql = `SELECT d.detection_score, t.confidence_score, t.key, t.value, m.created_on
    FROM model_outputs m JOIN detections d ON d.model_output_id = m.id JOIN predicted_tags t ON t.detection_id = d.id
    WHERE m.created_on >= ? AND m.created_on < ? ORDER BY m.created_on, t.id`;
  const rows = db.query<Omit<PredictedTagRow, "created_on"> & { created_on: string }, [string, string]>(sql).all(sqlTime(range.after), sqlTime(range.before));
  return rows.map((row) => ({ ...row, created_on: new Date(row.created_on) }));
}

export function readActivity(db: Database, range: { after: Date; before: Date }): StoreActivity {
  const after = sqlTime(range.after);
  const before = sqlTime(range.before);
  const recordings = db
    .query<{ n: number }, [string, string]>("SELECT count(*) AS n FROM recordings WHERE created_on >= ? AND created_on < ?")
    .get(after, before)?.n ?? 0;
  const detections = db
    .query<{ n: number }, [string, string]>(
      `SELECT count(*) AS n FROM detections d JOIN model_outputs m ON m.id = d.model_output_id
       WHERE m.created_on >= ? AND m.created_on < ?`,
    )
    .get(after, before)?.n ?? 0;
  const last = db
    .query<{ value: string | null; detection_score: number; created_on: string }, []>(
      `SELECT (SELECT t.value FROM predicted_tags t WHERE t.detection_id = d.id ORDER BY t.confidence_score DESC, t.id LIMIT 1) AS value,
              d.detection_score, m.created_on
       FROM detections d JOIN model_outputs m ON m.id = d.model_output_id
       ORDER BY m.created_on DESC, d.detection_score DESC LIMIT 1`,
    )
    .get();
  return {
    recordings,
    detections,
    lastDetection: last === null ? null : { label: last.value, score: last.detection_score, at: new Date(last.created_on) },
  };
}
