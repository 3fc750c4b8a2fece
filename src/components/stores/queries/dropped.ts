/**
 * @module The detections the rules dropped, from the metadata database's `rule_decisions` table
 * (written by the detection task's decision log), newest first: what `acoupi detections --why`
 * lists. A label filter matches the full label or its scientific name, case-insensitively.
 */
import type { Database } from "bun:sqlite";
import { DECISIONS_TABLE } from "../decision-log.ts";
import type { ReportFilters } from "./report-filters.ts";

export interface DroppedRow {
  decided_on: string;
  recording_id: string;
  recording_created_on: string;
  model: string;
  detection_id: string;
  label: string | null;
  score: number;
  start_time_s: number | null;
  end_time_s: number | null;
  rule: string;
  reason: string;
}

export function listDropped(db: Database, filters: ReportFilters): DroppedRow[] {
  const known = db.query<{ name: string }, [string]>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(DECISIONS_TABLE);
  if (known === null) return [];
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filters.since) {
    where.push("recording_created_on >= ?");
    params.push(filters.since.toISOString());
  }
  if (filters.until) {
    where.push("recording_created_on < ?");
    params.push(filters.until.toISOString());
  }
  if (filters.label) {
    where.push("(lower(label) = lower(?) OR lower(label) LIKE lower(?) || '\\_%' ESCAPE '\\')");
    params.push(filters.label, filters.label);
  }
  if (filters.minScore !== undefined) {
    where.push("score >= ?");
    params.push(filters.minScore);
  }
  const sql = `SELECT decided_on, recording_id, recording_created_on, model, detection_id, label, score, start_time_s, end_time_s, rule, reason
    FROM ${DECISIONS_TABLE} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY recording_created_on DESC, start_time_s DESC, id DESC ${filters.limit === undefined ? "" : `LIMIT ${Math.floor(filters.limit)}`}`;
  return db.query<DroppedRow, Array<string | number>>(sql).all(...params);
}
