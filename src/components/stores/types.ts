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
 * found no file), `purged` (retention deleted its file to free space; the row keeps its
 * metadata and outputs, with no path and the time of the purge).
 */
export type RecordingState = "temp" | "saved" | "discarded" | "missing" | "purged";

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

/** Deployments: the recording task reads the current one, the basic template stores and ends them. */
export interface DeploymentStore {
  /** The latest deployment by `started_on`, or null if none was stored (never auto-created). */
  getCurrentDeployment(): Deployment | null;
  storeDeployment(deployment: Deployment): void;
  /** Updates name, coordinates and `ended_on`; StoreError if the id is unknown. */
  updateDeployment(deployment: Deployment): void;
}

/** Recordings and their files: the recording, file management and reconcile tasks use it. */
export interface RecordingStore {
  /** Inserts the recording (state `temp`) and its deployment if either is missing. */
  storeRecording(recording: Recording): void;
  getRecordingsInfoByPath(paths: string[]): Array<{ recording: Recording; modelOutputs: ModelOutputInfo[] }>;
  /** Sets the path (and state, when given); returns the recording with its new path. */
  updateRecordingPath(recording: Recording, path: string | null, state?: RecordingState): Recording;
  /** Recordings in a state, newest first, with their model outputs (file management, reconcile). */
  listRecordingsByState(state: RecordingState, options?: { limit?: number }): RecordingWithOutputs[];
}

/** Model outputs: the detection task writes them, the summarisers read their tags. */
export interface ModelOutputStore {
  /** Stores outputs in one transaction; StoreError naming any recording that is not stored. */
  storeModelOutputs(outputs: ModelOutput[]): void;
  /** Tags whose model output was created in [after, before) (half-open, so windows tile). */
  getPredictedTags(range: { after: Date; before: Date }): PredictedTagRow[];
  /**
   * Runs `fn` in one transaction on the store's connection (nested calls become savepoints), so
   * a caller can store model outputs and their outbox messages atomically. `fn` must be
   * synchronous; if it throws, everything it wrote is rolled back and the error is rethrown.
   */
  transaction<T>(fn: () => T): T;
}

/** A saved recording that retention may delete, with what the order of sacrifice needs to know. */
export interface RetentionCandidate {
  /** Its `path` is never null. */
  recording: Recording;
  /** Any model output of it has at least one detection. */
  hasDetections: boolean;
  /** It is among the newest `keepPerLabel` saved recordings of one of its detections' labels. */
  keptForLabel: boolean;
  /** Its upload to object storage was confirmed (retention deletes these first within a group). */
  uploaded?: boolean;
}

/** Retention: the retention task and `acoupi storage` read candidates and purge them. */
export interface RetentionStore {
  /** Saved recordings with a path, oldest first (by `created_on`). */
  listRetentionCandidates(options: { keepPerLabel: number }): RetentionCandidate[];
  /** Marks the recording `purged` at `at` and clears its path; StoreError if the id is unknown. */
  markPurged(recording: Recording, at: Date): void;
  /** How many recordings were ever purged. */
  countPurged(): number;
}

/**
 * The metadata store: the four roles on one database. Contract: all methods are synchronous and
 * meant for the main thread; they throw StoreError on failure; each write is one transaction.
 * Stores are idempotent (storing a record whose id exists is a no-op). Recordings come back newest
 * first (by `created_on`). A task takes only the role it uses.
 */
export interface Store extends DeploymentStore, RecordingStore, ModelOutputStore, RetentionStore {
  close(): void;
}

/** Counts of one time range and the latest detection, for dashboards (Home Assistant's state). */
export interface StoreActivity {
  recordings: number;
  detections: number;
  /** The latest detection ever stored: its best tag's value (null without tags) and its score. */
  lastDetection: { label: string | null; score: number; at: Date } | null;
}

/** An optional role: what the sensor did in [after, before). Read-only. */
export interface ActivityStore {
  activity(range: { after: Date; before: Date }): StoreActivity;
}
