/**
 * @module The recording task: when every condition holds, records one file, stores its row and
 * returns the Recording (which triggers the callbacks, e.g. detection). A device that fails is
 * retried with exponential backoff, and its error is the status's "degraded" reason until a
 * recording succeeds again. Conditions that pause recording (schedule, disk space) say why. A
 * recording whose row cannot be stored (the database's disk is full) keeps its file in temp and is
 * stored at the start of each later run, so it is adopted as soon as the database can write again
 * (reconcile adopts what is left at the next start or stop).
 */
import type { ConsolaInstance } from "consola";
import type { Recorder } from "../components/recorders/types.ts";
import type { DeploymentStore, RecordingStore } from "../components/stores/types.ts";
import type { Deployment, Recording } from "../data/index.ts";
import { DeploymentError } from "../errors.ts";
import type { ComponentStatus } from "../data/component-status.ts";
import type { Clock } from "../scheduler/clock.ts";

/** A condition with a name that status shows when it pauses recording. */
export interface NamedCondition {
  name: string;
  test: (now: Date) => boolean;
  /** When true, a pause because of this condition is a degraded state (e.g. the disk is full). */
  degrades?: boolean;
}

export interface RecordingTaskDeps {
  recorder: Recorder;
  store: RecordingStore & Pick<DeploymentStore, "getCurrentDeployment">;
  conditions: readonly NamedCondition[];
  /** The active deployment, set by the template's start hook. */
  deployment: () => Deployment | null;
  clock: Clock;
  logger: ConsolaInstance;
  /** Longest wait between retries of a failing device, in seconds. */
  maxBackoffSeconds?: number;
}

export interface RecordingTask {
  run: () => Promise<Recording | undefined>;
  status: () => ComponentStatus;
  lastRecordingAt: () => Date | null;
}

export function recordingTask(deps: RecordingTaskDeps): RecordingTask {
  let failures = 0;
  let retryAt = 0;
  let lastError: string | null = null;
  let pausedBy: NamedCondition | null = null;
  let lastRecording: Date | null = null;
  let files = 0;
  /** Recordings on disk whose row could not be stored yet, oldest first. */
  const unstored: Recording[] = [];
  let storeError: string | null = null;
  const maxBackoff = (deps.maxBackoffSeconds ?? 300) * 1000;

  /** Stores the rows that failed before; stops at the first that still fails. */
  function adoptUnstored(): void {
    while (unstored.length > 0) {
      const recording = unstored[0] as Recording;
      deps.store.storeRecording(recording);
      unstored.shift();
      deps.logger.info(`Stored the row of recording ${recording.path} that could not be stored before`);
    }
    storeError = null;
  }

  async function recording_task(): Promise<Recording | undefined> {
    if (unstored.length > 0) {
      try {
        adoptUnstored();
      } catch (error) {
        storeError = (error as Error).message;
      }
    }
    const now = deps.clock.now();
    pausedBy = deps.conditions.find((c) => !c.test(now)) ?? null;
    if (pausedBy) {
      deps.logger.debug(`Not recording: ${pausedBy.name}`);
      return undefined;
    }
    if (failures > 0 && deps.clock.monotonic() < retryAt) return undefined;
    const deployment = deps.deployment() ?? deps.store.getCurrentDeployment();
    if (!deployment) throw new DeploymentError("No active deployment to record for", { help: "Run `acoupi start` first" });
    let recording: Recording;
    try {
      recording = await deps.recorder.record(deployment);
    } catch (error) {
      failures++;
      lastError = (error as Error).message;
      retryAt = deps.clock.monotonic() + Math.min(maxBackoff, 1000 * 2 ** Math.min(failures - 1, 16));
      throw error;
    }
    failures = 0;
    lastError = null;
    try {
      deps.store.storeRecording(recording);
    } catch (error) {
      // The file is whole in temp: keep it, and store its row once the database can write again.
      unstored.push(recording);
      storeError = (error as Error).message;
      deps.logger.error(`Cannot store the row of recording ${recording.path} (${storeError}); it stays in temp and is stored later`);
      throw error;
    }
    lastRecording = deps.clock.now();
    files++;
    return recording;
  }

  return {
    run: recording_task,
    lastRecordingAt: () => lastRecording,
    status() {
      const stats = deps.recorder.stats();
      let degraded: string | null = null;
      if (lastError) degraded = `${lastError} (failed ${failures} time${failures > 1 ? "s" : ""}, retrying with backoff)`;
      else if (storeError !== null) degraded = `${unstored.length} recording${unstored.length === 1 ? "" : "s"} without a database row: ${storeError}`;
      else if (pausedBy?.degrades) degraded = `paused: ${pausedBy.name}`;
      return {
        degraded,
        figures: {
          files,
          frames_captured: stats.framesCaptured,
          frames_lost: stats.framesLost,
          xruns: stats.xruns,
          paused_by: pausedBy?.name ?? null,
          last_recording: lastRecording?.toISOString() ?? null,
          unstored: unstored.length,
        },
      };
    },
  };
}
