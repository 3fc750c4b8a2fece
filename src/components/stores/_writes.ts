/**
 * @module What SqliteStore's writes share: its prepared INSERT statements, writing one model
 * output with its detections and tags, the row of a deployment, the check of a recording state,
 * and the error for an unknown recording. Internal to the stores folder.
 */
import type { Database, Statement } from "bun:sqlite";
import type { Deployment, ModelOutput } from "../../data/index.ts";
import { StoreError } from "../../errors.ts";
import { sqlTime } from "../../system/sqlite-helpers.ts";
import type { RecordingState } from "./types.ts";

export type Row = Record<string, string | number | null>;

const RECORDING_STATES: readonly RecordingState[] = ["temp", "saved", "discarded", "missing", "purged"];

export function deploymentRow(d: Deployment): Row {
  return {
    id: d.id.toLowerCase(),
    name: d.name,
    latitude: d.latitude,
    longitude: d.longitude,
    started_on: sqlTime(d.started_on),
    ended_on: d.ended_on === null ? null : sqlTime(d.ended_on),
  };
}

export function assertState(state: string): void {
  if (!RECORDING_STATES.includes(state as RecordingState)) {
    throw new StoreError(`Cannot set recording state "${state}": it is not one of ${RECORDING_STATES.join(", ")}`);
  }
}

export function unknownRecording(id: string): StoreError {
  return new StoreError(`Cannot update recording ${id}: it is not in the metadata store`, {
    help: "Store the recording first with storeRecording()",
  });
}

/** The store's INSERTs, prepared once per connection. */
export interface Inserts {
  deployment: Statement<unknown, [Row]>;
  recording: Statement<unknown, [Row]>;
  modelOutput: Statement<unknown, [Row]>;
  detection: Statement<unknown, [Row]>;
  tag: Statement<unknown, [Row]>;
}

export function prepareInserts(db: Database): Inserts {
  return {
    deployment: db.prepare(
      `INSERT INTO deployments (id, name, latitude, longitude, started_on, ended_on)
       VALUES ($id, $name, $latitude, $longitude, $started_on, $ended_on) ON CONFLICT (id) DO NOTHING`,
    ),
    recording: db.prepare(
      `INSERT INTO recordings (id, deployment_id, created_on, duration_s, samplerate_hz, audio_channels, time_expansion, path, path_root, state)
       VALUES ($id, $deployment_id, $created_on, $duration_s, $samplerate_hz, $audio_channels, $time_expansion, $path, $path_root, 'temp')
       ON CONFLICT (id) DO NOTHING`,
    ),
    modelOutput: db.prepare(
      `INSERT INTO model_outputs (id, recording_id, name_model, created_on) VALUES ($id, $recording_id, $name_model, $created_on)
       ON CONFLICT (id) DO NOTHING`,
    ),
    detection: db.prepare(
      `INSERT INTO detections (id, model_output_id, prediction_type, start_time_s, low_freq_hz, end_time_s, high_freq_hz, detection_score)
       VALUES ($id, $model_output_id, $prediction_type, $start_time_s, $low_freq_hz, $end_time_s, $high_freq_hz, $detection_score)`,
    ),
    tag: db.prepare(`INSERT INTO predicted_tags (detection_id, key, value, confidence_score) VALUES ($detection_id, $key, $value, $confidence_score)`),
  };
}

/** Writes one model output with its detections and tags; an output already stored is left as it is (idempotent). */
export function insertModelOutput(inserts: Inserts, output: ModelOutput): void {
  const inserted = inserts.modelOutput.run({
    id: output.id.toLowerCase(),
    recording_id: output.recording.id.toLowerCase(),
    name_model: output.name_model,
    created_on: sqlTime(output.created_on),
  });
  if (inserted.changes === 0) return; // already stored: idempotent
  for (const detection of output.detections) {
    const c = detection.location?.coordinates;
    inserts.detection.run({
      id: detection.id.toLowerCase(),
      model_output_id: output.id.toLowerCase(),
      prediction_type: detection.prediction_type,
      start_time_s: c?.[0] ?? null,
      low_freq_hz: c?.[1] ?? null,
      end_time_s: c?.[2] ?? null,
      high_freq_hz: c?.[3] ?? null,
      detection_score: detection.detection_score,
    });
    for (const t of detection.tags) {
      inserts.tag.run({ detection_id: detection.id.toLowerCase(), key: t.tag.key, value: t.tag.value, confidence_score: t.confidence_score });
    }
  }
}
