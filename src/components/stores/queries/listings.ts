/**
 * @module Read-only queries over the metadata database for the listings, exports, spectrograms
 * and the web page (the per-label counts of the summary are in label-counts.ts; the filters in
 * report-filters.ts). Rows are plain objects straight from SQLite (times stay as stored UTC
 * text) and come from `Statement.iterate()`, so a caller that writes as it reads holds one row at
 * a time however large the database. A detection's label is its most confident tag's value (ties: the first
 * stored), which is what the models write as their single tag per detection. Recordings are
 * joined to deployments with CROSS JOIN, which makes SQLite keep recordings as the outer loop
 * (without ANALYZE statistics it would otherwise start from the one-row deployments table), and
 * rows tie-break on rowid, which the created_on index carries, so no query sorts every recording.
 */
import type { Database } from "bun:sqlite";
import { toStored, type PathRoots } from "../_paths.ts";
import { reviewJoin } from "../reviews.ts";
import { BY_TIME, COMMON_NAME, detectionConditions, direction, filtersDetections, KEPT, PATH, recordingConditions, RELATIVE_PATH, tail, TOP_TAG, VERDICT_COLUMNS, type Params, type ReportFilters } from "./report-filters.ts";

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

/** The recording whose file is at the absolute `path` (stored relative to one of `roots`, or as given), or null. */
export function recordingAtPath(db: Database, path: string, roots: PathRoots | undefined): { id: string; time_expansion: number } | null {
  const stored = toStored(path, roots);
  const sql = "SELECT id, time_expansion FROM recordings WHERE path = ? AND path_root IS ?";
  return db.query<{ id: string; time_expansion: number }, [string, string | null]>(sql).get(stored.path ?? path, stored.root);
}

/** The number of recordings in each file state (states with none are absent). */
export function recordingsByState(db: Database): Map<string, number> {
  const rows = db.query<{ state: string; n: number }, []>("SELECT state, count(*) AS n FROM recordings GROUP BY state").all();
  return new Map(rows.map((r) => [r.state, r.n]));
}
