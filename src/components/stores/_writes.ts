/**
 * @module What SqliteStore's writes share: the row of a deployment, the check of a recording
 * state, and the error for an unknown recording. Internal to the stores folder.
 */
import type { Deployment } from "../../data/index.ts";
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
