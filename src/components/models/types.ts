/** @module The Model interface: runs on one recording and returns a ModelOutput. */
import type { CheckReport, ComponentStatus, ModelOutput, Recording } from "../../data/index.ts";

/**
 * Contract: `run` reads the recording's file, and returns a ModelOutput named `name`. It throws
 * ModelError for a model that cannot run. Not safe to call concurrently (the `detection` queue
 * has concurrency 1). The session is created once, lazily, and reused.
 */
export interface Model {
  readonly name: string;
  run(recording: Recording): Promise<ModelOutput>;
  /** Loads the model; the report gives its input and output shapes. Throws ModelError. */
  check(): Promise<CheckReport>;
  close(): Promise<void>;
  /** Optional health of the model (e.g. loaded or not), polled into the status file. */
  status?(): ComponentStatus;
}
