/**
 * @module Read-only queries over the metadata database for the listings, exports, summary and
 * web page. Rows are plain objects straight from SQLite (times stay as stored UTC text) and come
 * from `Statement.iterate()`, so a caller that writes as it reads holds one row at a time however
 * large the database. A detection's label is its most confident tag's value (ties: the first
 * stored), which is what the models write as their single tag per detection. Recordings are
 * joined to deployments with CROSS JOIN, which makes SQLite keep recordings as the outer loop
 * (without ANALYZE statistics it would otherwise start from the one-row deployments table), and
 * rows tie-break on rowid, which the created_on index carries, so no query sorts every recording.
 */
import type { Database } from "bun:sqlite";
import { COMMON_NAME_KEY } from "../../../data/species-label.ts";
import { sqlTime } from "../../../system/sqlite-helpers.ts";
import { reviewJoin } from "../reviews.ts";

export interface ReportFilters {
  /** Recordings created at or after this time. */
  since?: Date;
  /** Recordings created before this time. */
  until?: Date;
  /** Detections whose label is this (case-insensitive); for recordings: having such a detection. */
  label?: string;
  /** Detections scoring at least this; for recordings: having such a detection. */
  minScore?: number;
  /** A deployment's id or name. */
  deployment?: string;
  /** At most this many rows. */
  limit?: number;
  /** Only recordings whose audio is kept (not discarded, missing or purged): what exports cover by default. */
  keptOnly?: boolean;
  /** Only detections a person marked `correct`; for recordings: having one. */
  verified?: boolean;
  /** Only detections nobody has reviewed yet. */
  unreviewed?: boolean;
  /** Oldest first (exports, summary) or newest first (listings, the web page). */
  order?: "oldest" | "newest";
}

export interface RecordingListRow {
  id: string;
  created_on: string;
  duration_s: number;
  samplerate_hz: number;
  audio_channels: number;
  time_expansion: number;
  path: string | null;
  state: string;
  deployment_id: string;
  deployment_name: string;
  detections: number;
}

export interface DetectionListRow {
  detection_id: string;
  recording_id: string;
  created_on: string;
  path: string | null;
  /** The path relative to the recordings folder; null when the recording is not under it. */
  relative_path: string | null;
  duration_s: number;
  samplerate_hz: number;
  audio_channels: number;
  time_expansion: number;
  deployment_id: string;
  deployment_name: string;
  /** The recording's state: temp, saved, discarded, missing or purged. */
  recording_state: string;
  model: string;
  prediction_type: string;
  start_time_s: number | null;
  end_time_s: number | null;
  low_freq_hz: number | null;
  high_freq_hz: number | null;
  score: number;
  tag_key: string | null;
  label: string | null;
  /** The detection's `common_name` tag (labels like `Turdus merula_Eurasian Blackbird`), if any. */
  common_name: string | null;
  label_score: number | null;
  /** A person's verdict (correct, false, uncertain), or null when nobody reviewed it. */
  verdict: string | null;
  /** The species the reviewer said it really was. */
  verdict_species: string | null;
  verdict_note: string | null;
  reviewed_on: string | null;
}

/**
 * A recording's absolute path: a stored relative path joined to its root's folder, which the
 * connection holds in `temp.path_roots` (see metadata-db.ts); an absolute one as stored.
 */
const PATH = `CASE WHEN r.path_root IS NULL THEN r.path ELSE (SELECT dir FROM temp.path_roots WHERE name = r.path_root) || '/' || r.path END AS path`;
/** Relative to the recordings folder, for tables that travel with the recordings (Raven's Begin Path). */
const RELATIVE_PATH = "CASE WHEN r.path_root = 'recordings' THEN r.path END AS relative_path";
/** The two path columns of a recording `r`, for queries elsewhere (the page's) that list detections. */
export const RECORDING_PATH_COLUMNS = `${PATH}, ${RELATIVE_PATH}`;

type Params = Record<string, string | number>;

/**
 * Listings walk recordings in time order, so they name the created_on index: without ANALYZE
 * statistics SQLite may pick another index for a small LIMIT and sort every row (150 ms instead of
 * under 1 ms for the newest 3 of 100,000).
 */
const BY_TIME = "recordings r INDEXED BY recordings_created_on";

const TOP_TAG = `LEFT JOIN predicted_tags t ON t.id = (SELECT id FROM predicted_tags WHERE detection_id = d.id AND key <> '${COMMON_NAME_KEY}' ORDER BY confidence_score DESC, id LIMIT 1)`;
/** The common name beside the label, when the model split a `Genus species_Common Name` label. */
const COMMON_NAME_OF = `(SELECT value FROM predicted_tags WHERE detection_id = d.id AND key = '${COMMON_NAME_KEY}' ORDER BY id LIMIT 1)`;
const COMMON_NAME = `${COMMON_NAME_OF} AS common_name`;

function detectionConditions(filters: ReportFilters, where: string[], params: Params): void {
  if (filters.label !== undefined) {
    where.push(`(t.value = $label COLLATE NOCASE OR EXISTS (SELECT 1 FROM predicted_tags c WHERE c.detection_id = d.id AND c.key = '${COMMON_NAME_KEY}' AND c.value = $label COLLATE NOCASE))`);
    params.label = filters.label;
  }
  if (filters.minScore !== undefined) {
    where.push("d.detection_score >= $minScore");
    params.minScore = filters.minScore;
  }
  if (filters.verified === true) where.push("v.verdict = 'correct'");
  if (filters.unreviewed === true) where.push("v.verdict IS NULL");
}

/** Whether the filters look at detections (a recording then needs a matching one). */
function filtersDetections(filters: ReportFilters): boolean {
  return filters.label !== undefined || filters.minScore !== undefined || filters.verified === true || filters.unreviewed === true;
}

function recordingConditions(filters: ReportFilters, where: string[], params: Params): void {
  if (filters.since !== undefined) {
    where.push("r.created_on >= $since");
    params.since = sqlTime(filters.since);
  }
  if (filters.until !== undefined) {
    where.push("r.created_on < $until");
    params.until = sqlTime(filters.until);
  }
  if (filters.deployment !== undefined) {
    where.push("(dep.id = lower($deployment) OR dep.name = $deployment)");
    params.deployment = filters.deployment;
  }
  if (filters.keptOnly === true) where.push(`${KEPT} = 1`);
}

const VERDICT_COLUMNS = "v.verdict AS verdict, v.species AS verdict_species, v.note AS verdict_note, v.reviewed_on AS reviewed_on";

/** 1 when the recording's audio is still there to open, as far as the database knows. */
export const KEPT = "(r.path IS NOT NULL AND r.state NOT IN ('discarded', 'missing', 'purged'))";

function tail(filters: ReportFilters, where: string[], params: Params, order: string): string {
  let sql = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  sql += ` ORDER BY ${order}`;
  if (filters.limit !== undefined) {
    sql += " LIMIT $limit";
    params.limit = filters.limit;
  }
  return sql;
}

function direction(filters: ReportFilters): "ASC" | "DESC" {
  return filters.order === "newest" ? "DESC" : "ASC";
}

/** Recordings matching the filters, with their detection counts. */
export function iterateRecordings(db: Database, filters: ReportFilters = {}): IterableIterator<RecordingListRow> {
  const where: string[] = [];
  const params: Params = {};
  recordingConditions(filters, where, params);
  if (filtersDetections(filters)) {
    const inner: string[] = ["m.recording_id = r.id"];
    detectionConditions(filters, inner, params);
    where.push(`EXISTS (SELECT 1 FROM model_outputs m JOIN detections d ON d.model_output_id = m.id ${TOP_TAG} ${reviewJoin(db)} WHERE ${inner.join(" AND ")})`);
  }
  const dir = direction(filters);
  const sql = `SELECT r.id, r.created_on, r.duration_s, r.samplerate_hz, r.audio_channels, r.time_expansion, ${PATH}, r.state,
      dep.id AS deployment_id, dep.name AS deployment_name,
      (SELECT count(*) FROM model_outputs m JOIN detections d ON d.model_output_id = m.id WHERE m.recording_id = r.id) AS detections
    FROM ${BY_TIME} CROSS JOIN deployments dep ON dep.id = r.deployment_id${tail(filters, where, params, `r.created_on ${dir}, r.rowid ${dir}`)}`;
  return db.query<RecordingListRow, [Params]>(sql).iterate(params);
}

/** Detections matching the filters, grouped by recording (in time order) and by start time within one. */
export function iterateDetections(db: Database, filters: ReportFilters = {}): IterableIterator<DetectionListRow> {
  const where: string[] = [];
  const params: Params = {};
  recordingConditions(filters, where, params);
  detectionConditions(filters, where, params);
  const dir = direction(filters);
  const sql = `SELECT d.id AS detection_id, r.id AS recording_id, r.created_on, ${PATH}, ${RELATIVE_PATH}, r.duration_s, r.samplerate_hz,
      r.audio_channels, r.time_expansion, dep.id AS deployment_id, dep.name AS deployment_name, r.state AS recording_state, m.name_model AS model,
      d.prediction_type, d.start_time_s, d.end_time_s, d.low_freq_hz, d.high_freq_hz, d.detection_score AS score,
      t.key AS tag_key, t.value AS label, ${COMMON_NAME}, t.confidence_score AS label_score, ${VERDICT_COLUMNS}
    FROM ${BY_TIME} CROSS JOIN deployments dep ON dep.id = r.deployment_id
      JOIN model_outputs m ON m.recording_id = r.id JOIN detections d ON d.model_output_id = m.id ${TOP_TAG} ${reviewJoin(db)}
    ${tail(filters, where, params, `r.created_on ${dir}, r.rowid ${dir}, coalesce(d.start_time_s, 0), d.rowid`)}`;
  return db.query<DetectionListRow, [Params]>(sql).iterate(params);
}

/** The number of detections matching the filters (their limit aside) on recordings whose audio is gone. */
export function countDeletedDetections(db: Database, filters: ReportFilters): number {
  const where: string[] = [];
  const params: Params = {};
  recordingConditions({ ...filters, keptOnly: false }, where, params);
  detectionConditions(filters, where, params);
  where.push(`${KEPT} = 0`);
  const sql = `SELECT count(*) AS n FROM ${BY_TIME} CROSS JOIN deployments dep ON dep.id = r.deployment_id
      JOIN model_outputs m ON m.recording_id = r.id JOIN detections d ON d.model_output_id = m.id ${TOP_TAG} ${reviewJoin(db)}
    WHERE ${where.join(" AND ")}`;
  return db.query<{ n: number }, [Params]>(sql).get(params)?.n ?? 0;
}

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

/** The number of recordings matching the filters' time range and deployment. */
export function countRecordings(db: Database, filters: ReportFilters = {}): number {
  const where: string[] = [];
  const params: Params = {};
  recordingConditions(filters, where, params);
  const sql = `SELECT count(*) AS n FROM recordings r CROSS JOIN deployments dep ON dep.id = r.deployment_id${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}`;
  return db.query<{ n: number }, [Params]>(sql).get(params)?.n ?? 0;
}

/** One recording by id (any case), or null. */
export function findRecording(db: Database, id: string): RecordingListRow | null {
  const sql = `SELECT r.id, r.created_on, r.duration_s, r.samplerate_hz, r.audio_channels, r.time_expansion, ${PATH}, r.state,
      dep.id AS deployment_id, dep.name AS deployment_name,
      (SELECT count(*) FROM model_outputs m JOIN detections d ON d.model_output_id = m.id WHERE m.recording_id = r.id) AS detections
    FROM recordings r CROSS JOIN deployments dep ON dep.id = r.deployment_id WHERE r.id = lower($id)`;
  return db.query<RecordingListRow, [Params]>(sql).get({ id });
}

/** A recording's detections, by start time (for the spectrogram's boxes). */
export function recordingDetections(db: Database, recordingId: string): DetectionListRow[] {
  const sql = `SELECT d.id AS detection_id, r.id AS recording_id, r.created_on, ${PATH}, ${RELATIVE_PATH}, r.duration_s, r.samplerate_hz,
      r.audio_channels, r.time_expansion, dep.id AS deployment_id, dep.name AS deployment_name, r.state AS recording_state, m.name_model AS model,
      d.prediction_type, d.start_time_s, d.end_time_s, d.low_freq_hz, d.high_freq_hz, d.detection_score AS score,
      t.key AS tag_key, t.value AS label, ${COMMON_NAME}, t.confidence_score AS label_score, ${VERDICT_COLUMNS}
    FROM recordings r CROSS JOIN deployments dep ON dep.id = r.deployment_id
      JOIN model_outputs m ON m.recording_id = r.id JOIN detections d ON d.model_output_id = m.id ${TOP_TAG} ${reviewJoin(db)}
    WHERE r.id = lower($id) ORDER BY coalesce(d.start_time_s, 0), d.rowid`;
  return db.query<DetectionListRow, [Params]>(sql).all({ id: recordingId });
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
