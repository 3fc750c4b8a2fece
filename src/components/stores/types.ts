/** @module The metadata Store interface (acoupi's Store, reference §3.1 and §3.12). */
import type { Deployment, ModelOutput, Recording } from "../../data/index.ts";

export interface ModelOutputInfo {
  id: string;
  name_model: string;
  created_on: Date;
}

/**
 * Where a recording's file is: `temp` (in the tmp dir, awaiting models and file management),
 * `saved` (moved to its destination), `discarded` (deleted on purpose), `missing` (reconcile
 * found no file).
 */
export type RecordingState = "temp" | "saved" | "discarded" | "missing";

export interface RecordingWithOutputs {
  recording: Recording;
  modelOutputs: ModelOutput[];
}

/** One predicted tag with its detection's score and its model output's time, for summaries. */
export interface PredictedTagRow {
  detection_score: number;
  confidence_score: number;
  key: string;
  value: string;
  /** The model output's `created_on`. */
  created_on: Date;
}

/**
 * The metadata store. Contract: all methods are synchronous and meant for the main thread; they
 * throw StoreError on failure; each write is one transaction. Stores are idempotent (storing a
 * record whose id exists is a no-op). Recordings come back newest first (by `created_on`).
 */
export interface Store {
  /** The latest deployment by `started_on`, or null if none was stored (never auto-created). */
  getCurrentDeployment(): Deployment | null;
  storeDeployment(deployment: Deployment): void;
  /** Updates name, coordinates and `ended_on`; StoreError if the id is unknown. */
  updateDeployment(deployment: Deployment): void;
  /** Inserts the recording (state `temp`) and its deployment if either is missing. */
  storeRecording(recording: Recording): void;
  /** Stores outputs in one transaction; StoreError naming any recording that is not stored. */
  storeModelOutputs(outputs: ModelOutput[]): void;
  getRecordings(ids: string[]): RecordingWithOutputs[];
  getRecordingsByPath(paths: string[]): RecordingWithOutputs[];
  getRecordingsInfoByPath(paths: string[]): Array<{ recording: Recording; modelOutputs: ModelOutputInfo[] }>;
  /** Sets the path (and state, when given); returns the recording with its new path. */
  updateRecordingPath(recording: Recording, path: string | null, state?: RecordingState): Recording;
  /** Tags whose model output was created in [after, before) (half-open, so windows tile). */
  getPredictedTags(range: { after: Date; before: Date }): PredictedTagRow[];
  /** Recordings in a state, newest first, with their model outputs (file management, reconcile). */
  listRecordingsByState(state: RecordingState, options?: { limit?: number }): RecordingWithOutputs[];
  /** Marks a recording's state; StoreError if the id is unknown. */
  markRecording(id: string, state: RecordingState): void;
  /**
   * Runs `fn` in one transaction on the store's connection (nested calls become savepoints), so
   * a caller can store model outputs and their outbox messages atomically. `fn` must be
   * synchronous; if it throws, everything it wrote is rolled back and the error is rethrown.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}
