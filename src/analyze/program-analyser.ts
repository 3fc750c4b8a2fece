/**
 * @module ProgramAnalyser: one file at a time through the program's own detection stack. It
 * instantiates the program exactly as the runner does (`instantiateProgram`, the same `setup`,
 * templates and options), with the analysis config (analysis-config.ts), and calls the task the
 * detection template registered as `detection_task`: processing filters, model, output cleaners,
 * stored outputs and built messages, the code that runs on the sensor after each recording.
 * Only the Recording differs in origin: it comes from the file (recording-file.ts) instead of the
 * recorder. A file already analysed into the database (its path has an output of every model the
 * program waits for) is skipped, so a run can be resumed. The analyser never starts the program's
 * scheduler, so nothing is recorded, filed, sent or deleted. Not safe to call concurrently: like
 * the `detection` queue, it runs one file at a time (`--jobs` runs one analyser per process).
 */
import { resolve } from "node:path";
import { SqliteStore } from "../components/stores/sqlite-store.ts";
import { DeploymentSchema, type Deployment, type Recording } from "../data/index.ts";
import { AcoupiError } from "../errors.ts";
import { log } from "../log.ts";
import { instantiateProgram, type ProgramInstance } from "../programs/define-program.ts";
import type { ProgramDefinition } from "../programs/types.ts";
import { systemClock } from "../scheduler/clock.ts";
import type { DetectionTask } from "../tasks/detection.ts";
import { DETECTION_TASK } from "../tasks/names.ts";
import { VERSION } from "../version.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { analysisConfig } from "./analysis-config.ts";
import { undatedRecordings } from "../components/species-rules/birdnet-week.ts";
import { probeRecordingFile } from "./recording-file.ts";

/** Every file analyze stores belongs to this one deployment, in any database. */
export const ANALYSIS_DEPLOYMENT_ID = "a6a1c5e0-7a2b-4c1d-8e0f-0000000a7a1e";
export const ANALYSIS_DEPLOYMENT_NAME = "acoupi analyze";

export interface AnalysisSpec {
  programName: string;
  /** The user's program config (validated), before the analysis overrides. */
  config: unknown;
  dbPath: string;
  outDir: string;
  paths: AcoupiPaths;
  deviceId: string;
  /** Where the files were recorded (`--latitude`, `--longitude`); the range filter needs it. */
  coordinates?: AnalysisCoordinates | null;
}

export interface AnalysisCoordinates {
  latitude: number;
  longitude: number;
}

export type FileStatus = "analysed" | "skipped" | "failed";

export interface FileResult {
  path: string;
  status: FileStatus;
  /** Detections stored for it by this run (0 when skipped or failed). */
  detections: number;
  /** Seconds of real time in the file (0 when it could not be read). */
  audioSeconds: number;
  error?: string;
}

/** An AcoupiError about the program, its model or the database rather than the file (code "audio"). */
export function isProgramFault(error: unknown): error is AcoupiError {
  return error instanceof AcoupiError && error.code !== "audio";
}

function analysisDeployment(coordinates: AnalysisCoordinates | null = null): Deployment {
  const now = new Date();
  return DeploymentSchema.parse({ id: ANALYSIS_DEPLOYMENT_ID, name: ANALYSIS_DEPLOYMENT_NAME, started_on: now, ended_on: now, ...(coordinates ?? {}) });
}

/** Warnings the program prints at setup (no messenger, no schedule) say nothing about analysis: errors only, unless ACOUPI_LOG_LEVEL asks. */
function analysisLogger() {
  const quiet = process.env.ACOUPI_LOG_LEVEL === undefined;
  const base = log.withTag("analyze");
  if (quiet) base.level = Math.min(base.level, 0);
  return base;
}

type DetectionRun = DetectionTask["run"];

export class ProgramAnalyser {
  #instance: ProgramInstance;
  #run: DetectionRun;
  #store: SqliteStore;
  #models: readonly string[];
  #deployment: Deployment;

  private constructor(instance: ProgramInstance, run: DetectionRun, store: SqliteStore, coordinates: AnalysisCoordinates | null) {
    this.#deployment = analysisDeployment(coordinates);
    this.#instance = instance;
    this.#run = run;
    this.#store = store;
    this.#models = instance.context.requiredModels();
  }

  static async open(definition: ProgramDefinition, spec: AnalysisSpec): Promise<ProgramAnalyser> {
    const config = analysisConfig(definition.configSchema, spec.config, { dbPath: spec.dbPath, outDir: spec.outDir });
    const deps = { paths: spec.paths, deviceId: spec.deviceId, clock: systemClock, logger: analysisLogger(), version: VERSION };
    const instance = await instantiateProgram(definition, config, deps);
    const task = instance.context.task(DETECTION_TASK);
    if (task === undefined) {
      await instance.close();
      throw new AcoupiError("analyze", `Program "${spec.programName}" has no detection stack (no ${DETECTION_TASK}), so there is nothing to run over files`, {
        help: "Analyse with a program that runs a model: `--program detection --model.path …` or `--program birdnet`",
      });
    }
    // A second connection on the same file, for what the recorder does live: insert the recording row.
    const store = new SqliteStore({ db_metadata: spec.dbPath });
    store.storeDeployment(analysisDeployment());
    // The detection template registers DetectionTask.run under this name (src/tasks/detection.ts).
    return new ProgramAnalyser(instance, task.run as DetectionRun, store, spec.coordinates ?? null);
  }

  /** The names of the models whose outputs the program stores for each recording. */
  get models(): readonly string[] {
    return this.#models;
  }

  /**
   * Analyses one file. A failure of the file (unreadable, truncated, an encoding or rate that
   * cannot be read, any unexpected error) is returned as a `failed` result naming it. A fault of
   * the program (its model does not load or does not fit the config, the database cannot be
   * written) is thrown: every later file would fail alike, so the run stops with its help line.
   */
  async analyse(given: string): Promise<FileResult> {
    const path = resolve(given);
    let audioSeconds = 0;
    try {
      const info = await probeRecordingFile(path);
      audioSeconds = info.duration;
      const known = this.#store.getRecordingsInfoByPath([path])[0];
      if (known !== undefined && this.#models.every((name) => known.modelOutputs.some((o) => o.name_model === name))) {
        return { path, status: "skipped", detections: 0, audioSeconds };
      }
      // A file analysed again (after a stopped run) is judged at the place given now.
      let recording: Recording = known !== undefined ? { ...known.recording, deployment: this.#deployment } : {
        id: crypto.randomUUID(),
        created_on: info.start,
        duration: info.duration,
        samplerate: info.samplerate,
        deployment: this.#deployment,
        path,
        audio_channels: info.channels,
        time_expansion: info.timeExpansion,
        bit_depth: info.bitsPerSample,
      };
      if (known === undefined) {
        const fresh = recording;
        // `saved` (the file is where it belongs): a runner sharing this database neither files nor
        // deletes it as it would a temp one. One commit for both.
        recording = this.#store.transaction(() => {
          this.#store.storeRecording(fresh);
          return this.#store.updateRecordingPath(fresh, path, "saved");
        });
      }
      // A file whose only date is its modification time has no recorded date: the range filter takes the whole year.
      if (info.startSource === "mtime") undatedRecordings.add(recording.id);
      let output: Awaited<ReturnType<DetectionRun>>;
      try {
        output = await this.#run(recording);
      } finally {
        undatedRecordings.delete(recording.id);
      }
      return { path, status: "analysed", detections: output?.detections.length ?? 0, audioSeconds };
    } catch (error) {
      if (isProgramFault(error)) throw error;
      const message = error instanceof AcoupiError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      return { path, status: "failed", detections: 0, audioSeconds, error: message.includes(path) ? message : `${path}: ${message}` };
    }
  }

  async close(): Promise<void> {
    try {
      await this.#instance.close();
    } finally {
      this.#store.close();
    }
  }
}
