/** @module The metadata Store interface (acoupi's Store, reference §3.1 and §3.12). */
import type { Deployment, ModelOutput, Recording } from "../../data/index.ts";

export interface ModelOutputInfo {
  id: string;
  name_model: string;
  created_on: Date;
}

export type RecordingState = "temp" | "saved" | "discarded" | "missing";

/**
 * The metadata store. Contract: all methods are synchronous-safe to call from the main thread;
 * they throw StoreError on failure; writes are transactional. Recordings come back newest first.
 */
export interface Store {
  getCurrentDeployment(): Deployment | null;
  storeDeployment(deployment: Deployment): void;
  updateDeployment(deployment: Deployment): void;
  storeRecording(recording: Recording): void;
  /** Stores outputs in one transaction; `extra` runs inside the same transaction (e.g. outbox inserts). */
  storeModelOutputs(outputs: ModelOutput[]): void;
  getRecordings(ids: string[]): Array<{ recording: Recording; modelOutputs: ModelOutput[] }>;
  getRecordingsByPath(paths: string[]): Array<{ recording: Recording; modelOutputs: ModelOutput[] }>;
  getRecordingsInfoByPath(paths: string[]): Array<{ recording: Recording; modelOutputs: ModelOutputInfo[] }>;
  updateRecordingPath(recording: Recording, path: string | null, state?: RecordingState): Recording;
  close(): void;
}
