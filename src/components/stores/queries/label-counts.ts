/**
 * @module Counts per label over the metadata database for `acoupi summary`: detections per label
 * per UTC day or hour, and people's verdicts per label. A detection counts under its most
 * confident tag (its model's name when it has none), as in the listings.
 */
import type { Database } from "bun:sqlite";
import { sqlTime } from "../../../system/sqlite-helpers.ts";
import { reviewJoin } from "../reviews.ts";
import { COMMON_NAME_OF, detectionConditions, recordingConditions, TOP_TAG, type Params, type ReportFilters } from "./report-filters.ts";

export interface LabelCount {
  /** The UTC day (`YYYY-MM-DD`) or hour (`YYYY-MM-DDTHH`) of the recordings. */
  bucket: string;
  label: string;
  /** The label's common name, when its detections carry one. */
  common_name: string | null;
  count: number;
}

/** Model outputs are created after their recording; this margin allows for a clock set back since. */
const OUTPUT_AFTER_RECORDING_MARGIN_MS = 86_400_000;

/**
 * Detections per label per UTC day or hour, for recordings in the filters' time range. It walks
 * the model outputs (far fewer than recordings when most hold nothing) by their created_on index,
 * from a day before `since`, and keeps those whose recording is in range.
 */
export function detectionsPerLabel(db: Database, filters: ReportFilters, by: "day" | "hour"): LabelCount[] {
  const where: string[] = [];
  const params: Params = {};
  recordingConditions(filters, where, params);
  detectionConditions(filters, where, params);
  if (filters.since !== undefined) {
    where.push("m.created_on >= $outputsSince");
    params.outputsSince = sqlTime(new Date(filters.since.getTime() - OUTPUT_AFTER_RECORDING_MARGIN_MS));
  }
  const width = by === "day" ? 10 : 13;
  const sql = `SELECT substr(r.created_on, 1, ${width}) AS bucket, coalesce(t.value, m.name_model) AS label, max(${COMMON_NAME_OF}) AS common_name, count(*) AS count
    FROM model_outputs m CROSS JOIN recordings r ON r.id = m.recording_id CROSS JOIN deployments dep ON dep.id = r.deployment_id
      JOIN detections d ON d.model_output_id = m.id ${TOP_TAG} ${reviewJoin(db)}
    ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY bucket, label ORDER BY bucket, count DESC, label`;
  return db.query<LabelCount, [Params]>(sql).all(params);
}


export interface LabelReviews {
  /** The UTC day or hour, as in LabelCount; "" when not grouped by time. */
  bucket: string;
  /** The detection's label as the model gave it (what a threshold applies to). */
  label: string;
  /** Detections of this label with a verdict (correct, false or uncertain). */
  reviewed: number;
  correct: number;
  false: number;
  uncertain: number;
}

/** Verdicts per label (and per UTC day or hour when `by` is given) for the detections matching the filters, most reviewed first. */
export function reviewsPerLabel(db: Database, filters: ReportFilters, by?: "day" | "hour"): LabelReviews[] {
  const bucket = by === undefined ? "''" : `substr(r.created_on, 1, ${by === "day" ? 10 : 13})`;
  const where: string[] = ["v.verdict IS NOT NULL"];
  const params: Params = {};
  recordingConditions(filters, where, params);
  detectionConditions({ ...filters, verified: false, unreviewed: false }, where, params);
  const sql = `SELECT ${bucket} AS bucket, coalesce(t.value, m.name_model) AS label, count(*) AS reviewed,
      sum(v.verdict = 'correct') AS correct, sum(v.verdict = 'false') AS false, sum(v.verdict = 'uncertain') AS uncertain
    FROM recordings r CROSS JOIN deployments dep ON dep.id = r.deployment_id
      JOIN model_outputs m ON m.recording_id = r.id JOIN detections d ON d.model_output_id = m.id ${TOP_TAG} ${reviewJoin(db)}
    WHERE ${where.join(" AND ")} GROUP BY bucket, label ORDER BY bucket, reviewed DESC, label`;
  return db.query<LabelReviews, [Params]>(sql).all(params);
}
