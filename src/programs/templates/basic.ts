/**
 * @module The basic template: recorder → conditions → store → file management. A function that
 * registers the recording task (queue `recording`) and the file management task into a program's
 * context, with the seed's customisation points as options. Its config is acoupi's
 * BasicProgramConfiguration (`timezone`, `microphone`, `recording`, `paths`) plus our
 * `file_management` section.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Database } from "bun:sqlite";
import { z } from "zod";
import { recordingSchedule } from "../../components/conditions/recording-schedule.ts";
import { freeBytes } from "../../components/conditions/has-free-space.ts";
import { dateFileManager } from "../../components/file-managers/date-file-manager.ts";
import type { FileManager } from "../../components/file-managers/types.ts";
import { AlsaRecorder, MicrophoneConfigSchema } from "../../components/recorders/alsa-recorder.ts";
import type { Recorder } from "../../components/recorders/types.ts";
import type { SavingFilter } from "../../components/saving-filters/types.ts";
import { SqliteStore } from "../../components/stores/sqlite-store.ts";
import type { Store } from "../../components/stores/types.ts";
import { noPrompt } from "../../config/markers.ts";
import { homePath, timeOfDay, timeZone } from "../../config/types.ts";
import type { Deployment } from "../../data/index.ts";
import { fileManagementTask, type FileManagementTask } from "../../tasks/file-management.ts";
import { adoptFiled, reconcileTemp } from "../../tasks/reconcile.ts";
import { recordingTask, type NamedCondition, type RecordingTask } from "../../tasks/recording.ts";
import type { ProgramContext } from "../program-context.ts";
import type { TaskFunction } from "../types.ts";

export const AudioConfigSchema = z.object({
  duration: z.number().positive().default(3).describe("Length of each recording, in seconds"),
  interval: z.number().positive().default(10).describe("Seconds between the starts of two recordings (equal to duration: record continuously)"),
  chunksize: noPrompt(z.number().int().positive().default(8192).describe("Frames read from the device at a time")),
  schedule_start: timeOfDay("06:00:00").describe("Start recording at this time of day (HH:MM:SS, in `timezone`)"),
  schedule_end: timeOfDay("22:30:00").describe("Stop recording at this time of day; earlier than the start means overnight"),
  min_free_mb: noPrompt(z.number().min(0).default(100).describe("Pause recording while the temp or recordings folder has less free space (MB)")),
});

export const PathsConfigSchema = z.object({
  tmp_audio: homePath("tmp").describe("Folder for recordings waiting to be processed"),
  recordings: homePath("storages/recordings").describe("Folder where kept recordings are filed"),
  db_metadata: homePath("storages/metadata.db").describe("SQLite file describing deployments, recordings and detections"),
});

export const FileManagementConfigSchema = z.object({
  interval: z.number().positive().default(120).describe("Seconds between file management runs"),
  max_wait: z.number().positive().default(3600).describe("Seconds a recording may wait for its models before it is handled anyway"),
  on_timeout: z.enum(["save", "delete"]).default("save").describe("What to do with a recording whose models never ran"),
});

export const BasicConfigSchema = z.object({
  timezone: timeZone("Europe/London").describe("IANA time zone of the schedules and saving windows"),
  microphone: MicrophoneConfigSchema.prefault({}),
  recording: AudioConfigSchema.prefault({}),
  paths: PathsConfigSchema.prefault({}),
  file_management: noPrompt(FileManagementConfigSchema.prefault({})),
});
export type BasicConfig = z.output<typeof BasicConfigSchema>;

export interface BasicTemplateOptions {
  /** Recording conditions, ANDed; default: the configured daily schedule and free disk space. */
  recordingConditions?: NamedCondition[];
  /** Saving filters, ORed; default: keep everything. */
  savingFilters?: SavingFilter[];
  /** Tasks run with each new recording (queue `callbackQueue`, default `default`). */
  recordingCallbacks?: TaskFunction[];
  callbackQueue?: string;
  /** Default: DateFileManager into `paths.recordings`. */
  fileManagers?: FileManager[];
  /** Model names a recording waits for before file management handles it. */
  requiredModels?: string[];
  recorder?: Recorder;
  store?: Store;
}

export interface BasicTemplate {
  store: Store;
  /** The store's SQLite connection, for attaching the outbox (shared transactions); absent for other stores. */
  connection: Database | undefined;
  recorder: Recorder;
  recording: RecordingTask;
  fileManagement: FileManagementTask;
  /** The active deployment once the program started. */
  deployment: () => Deployment | null;
  /** Adds a model that recordings must wait for (the detection template calls this). */
  requireModel: (name: string) => void;
}

/**
 * Extra ALSA PCM definitions (asoundrc syntax) for the recorder, e.g. the demo's simulated
 * microphone. The recorder calls this at each open, so an edited file takes effect without a restart.
 */
function alsaConfigFromEnv(): string | undefined {
  const path = process.env.ACOUPI_ALSA_CONFIG;
  return path && existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

export function defaultConditions(config: BasicConfig): NamedCondition[] {
  const minBytes = config.recording.min_free_mb * 1e6;
  const folders = [config.paths.tmp_audio, config.paths.recordings];
  return [
    { name: `outside the schedule ${config.recording.schedule_start}–${config.recording.schedule_end} ${config.timezone}`, test: recordingSchedule(config) },
    {
      name: `less than ${config.recording.min_free_mb} MB free for recordings`,
      degrades: true,
      test: () => folders.every((folder) => freeBytes(folder) > minBytes),
    },
  ];
}

export function basicTemplate(ctx: ProgramContext, config: BasicConfig, options: BasicTemplateOptions = {}): BasicTemplate {
  const { deps } = ctx;
  for (const dir of [config.paths.tmp_audio, config.paths.recordings, dirname(config.paths.db_metadata)]) mkdirSync(dir, { recursive: true });
  const store = options.store ?? new SqliteStore({ db_metadata: config.paths.db_metadata });
  ctx.onClose(() => store.close());
  const recorder =
    options.recorder ??
    new AlsaRecorder(
      {
        microphone: config.microphone,
        duration: config.recording.duration,
        chunksize: config.recording.chunksize,
        tmpDir: config.paths.tmp_audio,
        deviceId: deps.deviceId,
        firmwareVersion: deps.version,
        continuous: config.recording.interval === config.recording.duration,
      },
      { alsaConfig: alsaConfigFromEnv },
    );
  ctx.onClose(() => recorder.close());

  let deployment: Deployment | null = null;
  const requiredModels = [...(options.requiredModels ?? [])];
  const recording = recordingTask({
    recorder,
    store,
    conditions: options.recordingConditions ?? defaultConditions(config),
    deployment: () => deployment,
    clock: deps.clock,
    logger: deps.logger.withTag("recording_task"),
  });
  const fileManagement = fileManagementTask({
    store,
    fileManagers: options.fileManagers ?? [dateFileManager({ directory: config.paths.recordings, device_id: deps.deviceId })],
    savingFilters: options.savingFilters ?? [],
    requiredModels: () => requiredModels,
    maxWaitSeconds: config.file_management.max_wait,
    onTimeout: config.file_management.on_timeout,
    clock: deps.clock,
    logger: deps.logger.withTag("file_management_task"),
  });

  ctx.addTask(recording.run, {
    name: "recording_task",
    schedule: { every: config.recording.interval },
    queue: "recording",
    callbacks: options.recordingCallbacks,
    callbackQueue: options.callbackQueue,
  });
  ctx.addTask(() => fileManagement.run(), { name: "file_management_task", schedule: { every: config.file_management.interval } });
  ctx.onCheck(() => recorder.check());
  ctx.onStatus("recording", recording.status);
  ctx.onStatus("file_management", fileManagement.status);
  if (store instanceof SqliteStore) ctx.onStatus("metadata_store", () => store.status());
  ctx.onStart((d) => {
    deployment = d;
    store.storeDeployment(d);
    reconcileTemp({ tmpDir: config.paths.tmp_audio, store, deployment: d, timeExpansion: config.microphone.time_expansion, logger: deps.logger });
    if (store instanceof SqliteStore && store.recoveredFrom !== null) adoptFiled({ recordingsDir: config.paths.recordings, store, deployment: d, timeExpansion: config.microphone.time_expansion, logger: deps.logger });
    fileManagement.run();
  });
  ctx.onEnd((d) => {
    store.storeDeployment(d);
    store.updateDeployment(d);
    reconcileTemp({ tmpDir: config.paths.tmp_audio, store, deployment: d, timeExpansion: config.microphone.time_expansion, logger: deps.logger });
    const counts = fileManagement.run(true);
    deps.logger.info(`Final file management: ${counts.saved} saved, ${counts.discarded} discarded, ${counts.timedOut} handled without their models`);
  });

  const connection = store instanceof SqliteStore ? store.connection : undefined;
  return { store, connection, recorder, recording, fileManagement, deployment: () => deployment, requireModel: (name) => void requiredModels.push(name) };
}
