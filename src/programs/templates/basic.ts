/**
 * @module The basic template: recorder → conditions → store → file management. A function that
 * registers the recording task (queue `recording`) and the file management task into a program's
 * context, with the seed's customisation points as options. Its config is acoupi's
 * BasicProgramConfiguration (`timezone`, `microphone`, `recording`, `paths`), the default
 * program's `recording_saving`, and our `file_management` and `storage` sections. It registers
 * the retention task too: recording pauses for space only when retention may delete nothing more. It returns what the
 * templates composed after it build on (`messagingTemplate(ctx, config, { basic })`): the store,
 * the recorder, the tasks and `openOutbox`, so no SQLite connection leaves it.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { recordingSchedule } from "../../components/conditions/recording-schedule.ts";
import { freeBytes } from "../../components/conditions/has-free-space.ts";
import { dateFileManager, DateFileManagerSchema } from "../../components/file-managers/date-file-manager.ts";
import type { FileManager } from "../../components/file-managers/types.ts";
import { AlsaRecorder, MicrophoneConfigSchema } from "../../components/recorders/alsa-recorder.ts";
import type { Recorder } from "../../components/recorders/types.ts";
import { RecordingSavingSchema, savingFiltersFromConfig } from "../../components/saving-filters/recording-saving.ts";
import type { SavingFilter } from "../../components/saving-filters/types.ts";
import { SqliteMessageStore, type SqliteMessageStoreConfig, type SqliteMessageStoreDeps } from "../../components/message-stores/sqlite-message-store.ts";
import type { MessageStore } from "../../components/message-stores/types.ts";
import { SqliteStore, SqliteStoreConfigSchema } from "../../components/stores/sqlite-store.ts";
import type { Store } from "../../components/stores/types.ts";
import { atLeast, noPrompt } from "../../config/markers.ts";
import { homePath, timeOfDay, timeZone } from "../../config/types.ts";
import type { Deployment } from "../../data/index.ts";
import { fileManagementTask, type FileManagementTask } from "../../tasks/file-management.ts";
import { ModelHealth } from "../../tasks/model-health.ts";
import { adoptFiled, reconcileTemp } from "../../tasks/reconcile.ts";
import { FILE_MANAGEMENT_TASK, PRIVACY_TASK, RECORDING_TASK, RETENTION_TASK } from "../../tasks/names.ts";
import { retentionTask, type RetentionTask } from "../../tasks/retention.ts";
import { StorageConfigSchema } from "../../components/retention/retention-policy.ts";
import { PrivacyConfigSchema } from "../../components/privacy/privacy-filter.ts";
import type { PrivacyTask } from "../../tasks/privacy.ts";
import { PRIVACY_MODEL, privacyFilter } from "./_privacy-filter.ts";
import type { ModelOutput, Recording } from "../../data/index.ts";
import { recordingTask, type NamedCondition, type RecordingTask } from "../../tasks/recording.ts";
import { WebConfigSchema } from "./web-config.ts";
import { UPDATE_SECTION } from "../../update/update-config.ts";
import { UploadConfigSchema } from "../../upload/upload-config.ts";
import { wireUpload } from "./_upload.ts";
import type { S3Uploader } from "../../upload/uploader.ts";
import type { ProgramContext } from "../program-context.ts";

export const AudioConfigSchema = z.object({
  duration: z.number().min(0.1).max(3600).default(3).describe("Length of each recording, in seconds"),
  interval: atLeast("duration", z.number().min(0.1).max(86400).default(10).describe("Seconds between the starts of two recordings (equal to duration: record continuously)")),
  chunksize: noPrompt(z.number().int().positive().max(1_048_576).default(8192).describe("Frames read from the device at a time")),
  flush_s: noPrompt(
    z.number().positive().max(3600).nullable().default(1).describe("Seconds of audio between two syncs of the file being recorded: a power cut loses at most this much (empty: sync only at the end)"),
  ),
  schedule_start: timeOfDay("06:00:00").describe("Start recording at this time of day (HH:MM:SS, in `timezone`)"),
  schedule_end: timeOfDay("22:30:00").describe("Stop recording at this time of day; earlier than the start means overnight"),
  min_free_mb: noPrompt(
    z.number().min(0).max(10_000_000).default(100).describe("Pause recording while the temp or recordings folder has less free space (MB) and retention may delete nothing more"),
  ),
});

export const PathsConfigSchema = z.object({
  tmp_audio: homePath("tmp").describe("Folder for recordings waiting to be processed"),
  recordings: homePath("storages/recordings").describe("Folder where kept recordings are filed"),
  db_metadata: SqliteStoreConfigSchema.shape.db_metadata,
});

export const FileManagementConfigSchema = z.object({
  interval: z.number().min(1).max(86_400).default(120).describe("Seconds between file management runs"),
  max_wait: z.number().positive().max(604_800).default(3600).describe("Seconds a recording may wait for its models before it is handled anyway"),
  on_timeout: z
    .enum(["save", "delete"])
    .default("save")
    .describe("What to do with a recording whose model failed or never ran: save it whole into paths.recordings/unprocessed/, or delete it"),
  filename_template: DateFileManagerSchema.shape.filename_template,
});

export const BasicConfigSchema = z.object({
  timezone: timeZone("Europe/London").describe("IANA time zone of the schedules and saving windows"),
  microphone: MicrophoneConfigSchema.prefault({}),
  recording: AudioConfigSchema.prefault({}),
  paths: PathsConfigSchema.prefault({}),
  file_management: noPrompt(FileManagementConfigSchema.prefault({})),
  storage: StorageConfigSchema.prefault({}).describe("How much space recordings may take, and what retention deletes first"),
  privacy: PrivacyConfigSchema.prefault({}).describe("Screen recordings for human speech; delete (or mute) those with it, and send nothing about them"),
  recording_saving: RecordingSavingSchema.nullable()
    .default(null)
    .describe("Keep only recordings made in these windows; leave unset to keep every recording"),
  web: WebConfigSchema.prefault({}),
  update: UPDATE_SECTION,
  upload: noPrompt(
    UploadConfigSchema.nullable()
      .default(null)
      .describe("Upload saved recordings (and daily database snapshots) to S3-compatible object storage; leave unset to keep everything here"),
  ),
});
export type BasicConfig = z.output<typeof BasicConfigSchema>;

export interface BasicTemplateOptions {
  /** Recording conditions, ANDed; default: the configured daily schedule and free disk space. */
  recordingConditions?: NamedCondition[];
  /** Saving filters, ORed; default: those the `recording_saving` section describes (none: keep all). */
  savingFilters?: SavingFilter[];
  /** Default: DateFileManager into `paths.recordings`. */
  fileManagers?: FileManager[];
  recorder?: Recorder;
  store?: Store;
}

/** What the basic template made, for the templates composed after it. */
export interface BasicTemplate {
  store: Store;
  recorder: Recorder;
  recording: RecordingTask;
  fileManagement: FileManagementTask;
  retention: RetentionTask;
  /** How each required model fares; the detection template reports its runs here. */
  modelHealth: ModelHealth;
  /** The speech filter, when `privacy.enabled`. */
  privacy: PrivacyTask | null;
  /** The uploader, when the `upload` section is set. */
  upload: S3Uploader | null;
  /**
   * The task a model chains on (`schedule: { after: basic.recordingSource }`): the privacy task
   * when it is enabled, so no model sees a recording before it was screened; else the recording task.
   */
  recordingSource: string;
  /** Screens a recording not screened yet (e.g. at stop); the recording when it may go on. */
  screen: (recording: Recording, outputs: readonly Pick<ModelOutput, "name_model">[]) => Promise<Recording | undefined>;
  /** The active deployment once the program started. */
  deployment: () => Deployment | null;
  /** The configured IANA time zone (what "today" means for the sensor). */
  timezone: string;
  /** The capture rate in real time (`microphone.samplerate`), which every model reads from. */
  samplerate: number;
  /**
   * Opens the outbox beside the metadata: on the store's own connection when it is SQLite, so a
   * model output and its messages commit together; otherwise on a connection of its own.
   */
  openOutbox: (config: SqliteMessageStoreConfig, deps: SqliteMessageStoreDeps) => MessageStore;
}

/**
 * Extra ALSA PCM definitions (asoundrc syntax) for the recorder, e.g. the demo's simulated
 * microphone. The recorder calls this at each open, so an edited file takes effect without a restart.
 */
function alsaConfigFromEnv(): string | undefined {
  const path = process.env.ACOUPI_ALSA_CONFIG;
  return path && existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Free space above `recording.min_free_mb` in both folders, with no retention behind it. */
export function freeSpaceCondition(config: BasicConfig): NamedCondition {
  const minBytes = config.recording.min_free_mb * 1e6;
  const folders = [config.paths.tmp_audio, config.paths.recordings];
  return {
    name: `less than ${config.recording.min_free_mb} MB free for recordings`,
    degrades: true,
    test: () => folders.every((folder) => freeBytes(folder) > minBytes),
  };
}

/** The daily schedule and a space condition (the template passes its retention task's). */
export function defaultConditions(config: BasicConfig, space: NamedCondition = freeSpaceCondition(config)): NamedCondition[] {
  return [
    { name: `outside the schedule ${config.recording.schedule_start}–${config.recording.schedule_end} ${config.timezone}`, test: recordingSchedule(config) },
    space,
  ];
}

/** Bytes of one recording (16-bit samples, plus room for the header and GUANO). */
function recordingBytes(config: BasicConfig): number {
  return Math.ceil(config.recording.duration * config.microphone.samplerate * config.microphone.audio_channels * 2) + 8192;
}

export function basicTemplate(ctx: ProgramContext, config: BasicConfig, options: BasicTemplateOptions = {}): BasicTemplate {
  const { deps } = ctx;
  for (const dir of [config.paths.tmp_audio, config.paths.recordings, dirname(config.paths.db_metadata)]) mkdirSync(dir, { recursive: true });
  const roots = { recordings: config.paths.recordings, tmp: config.paths.tmp_audio };
  const store = ctx.use("metadata_store", options.store ?? new SqliteStore({ db_metadata: config.paths.db_metadata }, { roots }));
  const recorder: Recorder =
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
        flushSeconds: config.recording.flush_s,
      },
      { alsaConfig: alsaConfigFromEnv },
    );
  ctx.onClose(() => recorder.close());
  if (recorder.status) ctx.onStatus("recorder", () => recorder.status?.() ?? {});

  const retention = retentionTask({
    store,
    config: config.storage,
    folders: { recordings: config.paths.recordings, tmp: config.paths.tmp_audio },
    floorBytes: config.recording.min_free_mb * 1e6,
    recordingBytes: recordingBytes(config),
    clock: deps.clock,
    logger: deps.logger.withTag(RETENTION_TASK),
  });

  let deployment: Deployment | null = null;
  const recording = recordingTask({
    recorder,
    store,
    conditions: options.recordingConditions ?? defaultConditions(config, retention.condition),
    deployment: () => deployment,
    clock: deps.clock,
    logger: deps.logger.withTag(RECORDING_TASK),
  });
  const modelHealth = new ModelHealth();
  ctx.onStatus("models", () => modelHealth.status());
  const fileManagement = fileManagementTask({
    store,
    fileManagers: options.fileManagers ?? [dateFileManager({ directory: config.paths.recordings, device_id: deps.deviceId, filename_template: config.file_management.filename_template })],
    savingFilters: options.savingFilters ?? savingFiltersFromConfig(config.recording_saving, { timezone: config.timezone }),
    requiredModels: () => ctx.requiredModels(),
    maxWaitSeconds: config.file_management.max_wait,
    onTimeout: config.file_management.on_timeout,
    unprocessedDir: join(config.paths.recordings, "unprocessed"),
    failedModels: (id) => modelHealth.failedOn(id),
    onTimedOut: (model, id) => modelHealth.timedOut(model, id),
    neverTimeOut: config.privacy.enabled ? [PRIVACY_MODEL] : [],
    unanalysed: ctx.unanalysed,
    clock: deps.clock,
    logger: deps.logger.withTag(FILE_MANAGEMENT_TASK),
  });

  ctx.addTask(recording.run, { name: RECORDING_TASK, schedule: { every: config.recording.interval }, queue: "recording" });
  ctx.addTask(() => fileManagement.run(), { name: FILE_MANAGEMENT_TASK, schedule: { every: config.file_management.interval } });
  ctx.use("recording", { check: () => recorder.check(), status: recording.status });
  ctx.use("file_management", fileManagement);
  ctx.addTask(() => retention.run(), { name: RETENTION_TASK, schedule: { every: config.storage.interval } });
  ctx.use("storage", retention);
  const upload = config.upload !== null && store instanceof SqliteStore ? wireUpload(ctx, config, config.upload, store) : null;
  const privacy = config.privacy.enabled ? privacyFilter(ctx, config.privacy, store, config.microphone.samplerate) : null;
  const screenedBy = privacy === null ? null : PRIVACY_MODEL;
  async function screen(rec: Recording, outputs: readonly Pick<ModelOutput, "name_model">[]): Promise<Recording | undefined> {
    if (privacy === null || outputs.some((o) => o.name_model === screenedBy)) return rec;
    return privacy.run(rec);
  }

  ctx.onStart(async (d) => {
    deployment = d;
    store.storeDeployment(d);
    reconcileTemp({ tmpDir: config.paths.tmp_audio, store, deployment: d, timeExpansion: config.microphone.time_expansion, logger: deps.logger });
    if (store instanceof SqliteStore && store.recoveredFrom !== null) adoptFiled({ recordingsDir: config.paths.recordings, store, deployment: d, timeExpansion: config.microphone.time_expansion, logger: deps.logger });
    // Recordings a crash left unscreened are screened before anything may file them, whatever their age.
    if (privacy !== null) for (const item of store.listRecordingsByState("temp")) await screen(item.recording, item.modelOutputs);
    fileManagement.run();
  });
  ctx.onEnd(async (d) => {
    store.storeDeployment(d);
    store.updateDeployment(d);
    // Orphans first (files that never got a row), then screen what the privacy filter has not
    // seen: the final run files every waiting recording.
    reconcileTemp({ tmpDir: config.paths.tmp_audio, store, deployment: d, timeExpansion: config.microphone.time_expansion, logger: deps.logger });
    if (privacy !== null) for (const item of store.listRecordingsByState("temp")) await screen(item.recording, item.modelOutputs);
    const counts = fileManagement.run(true);
    deps.logger.info(`Final file management: ${counts.saved} saved, ${counts.discarded} discarded, ${counts.timedOut} handled without their models`);
  });

  function openOutbox(outboxConfig: SqliteMessageStoreConfig, outboxDeps: SqliteMessageStoreDeps): MessageStore {
    const connection = store instanceof SqliteStore ? store.connection : undefined;
    return new SqliteMessageStore(outboxConfig, connection === undefined ? outboxDeps : { ...outboxDeps, connection });
  }

  return {
    store,
    recorder,
    recording,
    fileManagement,
    retention,
    modelHealth,
    privacy,
    upload,
    recordingSource: privacy === null ? RECORDING_TASK : PRIVACY_TASK,
    screen,
    deployment: () => deployment,
    timezone: config.timezone,
    samplerate: config.microphone.samplerate,
    openOutbox,
  };
}
