/**
 * @module SqliteDecisionLog: every detection a rule dropped (the range filter, a species list, a
 * per-species threshold, the confirmation rule …), in the metadata database's `rule_decisions`
 * table, with the rule's key and the reason in words, for `acoupi detections --why`. It lives on
 * the store's own connection, so a drop commits with the output it was dropped from. Space stays
 * bounded: rows older than `maxAgeDays` and all but the newest `maxRows` are pruned on each write.
 * The table is created if missing, so older databases gain it without a migration.
 */
import type { Database } from "bun:sqlite";
import type { Recording } from "../../data/index.ts";
import type { DroppedDetection } from "../species-rules/types.ts";
import { detectionLabel } from "../species-rules/types.ts";

export const DECISIONS_TABLE = "rule_decisions";
export const DECISIONS_MAX_ROWS = 10_000;
export const DECISIONS_MAX_AGE_DAYS = 30;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${DECISIONS_TABLE} (
  id INTEGER PRIMARY KEY,
  decided_on TEXT NOT NULL,
  recording_id TEXT NOT NULL,
  recording_created_on TEXT NOT NULL,
  model TEXT NOT NULL,
  detection_id TEXT NOT NULL,
  label TEXT,
  score REAL NOT NULL,
  start_time_s REAL,
  end_time_s REAL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS ${DECISIONS_TABLE}_decided_on ON ${DECISIONS_TABLE} (decided_on);
`;

/** Contract: `record` is synchronous, so it can run inside the store's transaction. */
export interface DecisionLog {
  record(recording: Recording, model: string, dropped: readonly DroppedDetection[], now: Date): void;
}

export interface DecisionLogLimits {
  maxRows?: number;
  maxAgeDays?: number;
}

export class SqliteDecisionLog implements DecisionLog {
  #db: Database;
  #maxRows: number;
  #maxAgeMs: number;

  constructor(db: Database, limits: DecisionLogLimits = {}) {
    this.#db = db;
    this.#maxRows = limits.maxRows ?? DECISIONS_MAX_ROWS;
    this.#maxAgeMs = (limits.maxAgeDays ?? DECISIONS_MAX_AGE_DAYS) * 86_400_000;
    db.run(SCHEMA);
  }

  record(recording: Recording, model: string, dropped: readonly DroppedDetection[], now: Date): void {
    if (dropped.length === 0) return;
    const insert = this.#db.query(
      `INSERT INTO ${DECISIONS_TABLE} (decided_on, recording_id, recording_created_on, model, detection_id, label, score, start_time_s, end_time_s, rule, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const { detection, rule, reason } of dropped) {
      const box = detection.location?.coordinates ?? null;
      insert.run(
        now.toISOString(),
        recording.id,
        recording.created_on.toISOString(),
        model,
        detection.id,
        detectionLabel(detection),
        detection.detection_score,
        box === null ? null : box[0],
        box === null ? null : box[2],
        rule,
        reason,
      );
    }
    this.#db.run(`DELETE FROM ${DECISIONS_TABLE} WHERE decided_on < ?`, [new Date(now.getTime() - this.#maxAgeMs).toISOString()]);
    this.#db.run(`DELETE FROM ${DECISIONS_TABLE} WHERE id <= (SELECT id FROM ${DECISIONS_TABLE} ORDER BY id DESC LIMIT 1 OFFSET ?)`, [this.#maxRows]);
  }
}
