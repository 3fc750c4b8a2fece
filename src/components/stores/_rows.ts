/**
 * @module Reading the metadata database back into records: recordings with their deployment,
 * and model outputs with their detections and tags, loaded in a few chunked IN queries rather
 * than one query per row. Internal to the stores folder.
 */
import type { Database } from "bun:sqlite";
import type { BoundingBox, Deployment, Detection, ModelOutput, PredictionType, Recording } from "../../data/index.ts";
import { chunks, placeholders } from "../../system/sqlite-helpers.ts";
import type { ModelOutputInfo, RecordingState } from "./types.ts";
import { fromStored, toStored, type PathRoots } from "./_paths.ts";

export interface RecordingRow {
  id: string;
  created_on: string;
  duration_s: number;
  samplerate_hz: number;
  audio_channels: number;
  time_expansion: number;
  path: string | null;
  path_root: string | null;
  state: RecordingState;
  d_id: string;
  d_name: string;
  d_latitude: number | null;
  d_longitude: number | null;
  d_started_on: string;
  d_ended_on: string | null;
}

export interface DeploymentRow {
  id: string;
  name: string;
  latitude: number | null;
  longitude: number | null;
  started_on: string;
  ended_on: string | null;
}

interface ModelOutputRow {
  id: string;
  recording_id: string;
  name_model: string;
  created_on: string;
}

interface DetectionRow {
  id: string;
  model_output_id: string;
  prediction_type: PredictionType;
  start_time_s: number | null;
  low_freq_hz: number | null;
  end_time_s: number | null;
  high_freq_hz: number | null;
  detection_score: number;
}

interface TagRow {
  detection_id: string;
  key: string;
  value: string;
  confidence_score: number;
}

export const RECORDING_SELECT = `SELECT r.id, r.created_on, r.duration_s, r.samplerate_hz, r.audio_channels,
  r.time_expansion, r.path, r.path_root, r.state, d.id AS d_id, d.name AS d_name, d.latitude AS d_latitude,
  d.longitude AS d_longitude, d.started_on AS d_started_on, d.ended_on AS d_ended_on
  FROM recordings r JOIN deployments d ON d.id = r.deployment_id`;

export function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    name: row.name,
    latitude: row.latitude,
    longitude: row.longitude,
    started_on: new Date(row.started_on),
    ended_on: row.ended_on === null ? null : new Date(row.ended_on),
  };
}

/** The record for a row; `roots` resolve a relative path (see `_paths.ts`). */
export function toRecording(row: RecordingRow, roots: PathRoots | undefined): Recording {
  return {
    id: row.id,
    created_on: new Date(row.created_on),
    duration: row.duration_s,
    samplerate: row.samplerate_hz,
    deployment: toDeployment({
      id: row.d_id,
      name: row.d_name,
      latitude: row.d_latitude,
      longitude: row.d_longitude,
      started_on: row.d_started_on,
      ended_on: row.d_ended_on,
    }),
    path: fromStored(row.path, row.path_root, roots),
    audio_channels: row.audio_channels,
    time_expansion: row.time_expansion,
    // Every recorder here writes S16_LE, so the row need not hold it.
    bit_depth: 16,
  };
}

function newestFirst(a: Recording, b: Recording): number {
  const dt = b.created_on.getTime() - a.created_on.getTime();
  return dt !== 0 ? dt : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Recordings with these ids (chunked), newest first. */
export function selectRecordingsById(db: Database, ids: readonly string[], roots: PathRoots | undefined): Recording[] {
  const out: Recording[] = [];
  for (const part of chunks([...new Set(ids)])) {
    const rows = db.query<RecordingRow, string[]>(`${RECORDING_SELECT} WHERE r.id IN (${placeholders(part.length)})`).all(...part);
    for (const row of rows) out.push(toRecording(row, roots));
  }
  return out.sort(newestFirst);
}

/** Recordings stored at any of these absolute `paths` (chunked), newest first. */
export function selectRecordingsAtPaths(db: Database, paths: readonly string[], roots: PathRoots | undefined): Recording[] {
  const wanted = new Set(paths);
  const stored = [...new Set(paths.map((p) => toStored(p, roots).path as string))];
  const out: Recording[] = [];
  for (const part of chunks(stored)) {
    const rows = db.query<RecordingRow, string[]>(`${RECORDING_SELECT} WHERE r.path IN (${placeholders(part.length)})`).all(...part);
    for (const row of rows) {
      const recording = toRecording(row, roots);
      // The same relative text under the other root is another file.
      if (recording.path !== null && wanted.has(recording.path)) out.push(recording);
    }
  }
  return out.sort(newestFirst);
}

/** Recordings in a state, newest first. */
export function selectRecordingsByState(db: Database, state: RecordingState, limit: number, roots: PathRoots | undefined): Recording[] {
  const sql = `${RECORDING_SELECT} WHERE r.state = ? ORDER BY r.created_on DESC, r.id LIMIT ?`;
  return db.query<RecordingRow, [string, number]>(sql).all(state, limit).map((row) => toRecording(row, roots));
}

function selectWhereIn<Row>(db: Database, sql: string, values: readonly string[]): Row[] {
  const out: Row[] = [];
  for (const part of chunks(values)) {
    out.push(...db.query<Row, string[]>(sql.replace("(?)", `(${placeholders(part.length)})`)).all(...part));
  }
  return out;
}

function location(row: DetectionRow): BoundingBox | null {
  const { start_time_s: s, low_freq_hz: lo, end_time_s: e, high_freq_hz: hi } = row;
  if (s === null || lo === null || e === null || hi === null) return null;
  return { type: "BoundingBox", coordinates: [s, lo, e, hi] };
}

/** Light model output infos per recording id (every requested id is a key). */
export function selectModelOutputInfos(db: Database, recordingIds: readonly string[]): Map<string, ModelOutputInfo[]> {
  const byRecording = new Map<string, ModelOutputInfo[]>(recordingIds.map((id) => [id, []]));
  const sql = "SELECT id, recording_id, name_model, created_on FROM model_outputs WHERE recording_id IN (?) ORDER BY created_on, rowid";
  for (const row of selectWhereIn<ModelOutputRow>(db, sql, recordingIds)) {
    byRecording.get(row.recording_id)?.push({ id: row.id, name_model: row.name_model, created_on: new Date(row.created_on) });
  }
  return byRecording;
}

/** Full model outputs (detections and tags in stored order) per recording id. */
export function selectModelOutputs(db: Database, recordings: readonly Recording[]): Map<string, ModelOutput[]> {
  const byRecording = new Map<string, ModelOutput[]>(recordings.map((r) => [r.id, []]));
  const recordingById = new Map(recordings.map((r) => [r.id, r]));
  const outputs = selectWhereIn<ModelOutputRow>(
    db,
    "SELECT id, recording_id, name_model, created_on FROM model_outputs WHERE recording_id IN (?) ORDER BY created_on, rowid",
    [...recordingById.keys()],
  );
  if (outputs.length === 0) return byRecording;
  const detections = selectWhereIn<DetectionRow>(
    db,
    `SELECT id, model_output_id, prediction_type, start_time_s, low_freq_hz, end_time_s, high_freq_hz, detection_score
     FROM detections WHERE model_output_id IN (?) ORDER BY rowid`,
    outputs.map((o) => o.id),
  );
  const tags = selectWhereIn<TagRow>(
    db,
    "SELECT detection_id, key, value, confidence_score FROM predicted_tags WHERE detection_id IN (?) ORDER BY id",
    detections.map((d) => d.id),
  );
  const tagsByDetection = new Map<string, Detection["tags"]>();
  for (const t of tags) {
    const list = tagsByDetection.get(t.detection_id) ?? [];
    list.push({ tag: { key: t.key, value: t.value }, confidence_score: t.confidence_score });
    tagsByDetection.set(t.detection_id, list);
  }
  const detectionsByOutput = new Map<string, Detection[]>();
  for (const d of detections) {
    const list = detectionsByOutput.get(d.model_output_id) ?? [];
    list.push({
      id: d.id,
      prediction_type: d.prediction_type,
      location: location(d),
      detection_score: d.detection_score,
      tags: tagsByDetection.get(d.id) ?? [],
    });
    detectionsByOutput.set(d.model_output_id, list);
  }
  for (const o of outputs) {
    const recording = recordingById.get(o.recording_id);
    if (recording === undefined) continue;
    byRecording.get(o.recording_id)?.push({
      id: o.id,
      name_model: o.name_model,
      recording,
      detections: detectionsByOutput.get(o.id) ?? [],
      created_on: new Date(o.created_on),
    });
  }
  return byRecording;
}
