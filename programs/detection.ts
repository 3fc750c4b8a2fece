/**
 * @module The `detection` program: the connected program plus an ONNX model on every
 * recording. It works with any ONNX audio classifier described in its `model` section (or Silero
 * VAD with `model.kind: silero_vad`); detections at or above `detections.threshold` are stored
 * and, when a messenger is configured, sent as acoupi detection messages.
 */
import { isAbsolute } from "node:path";
import { z } from "zod";
import { dateFileManager } from "../src/components/file-managers/date-file-manager.ts";
import { saveRecordingManager } from "../src/components/file-managers/save-recording-manager.ts";
import { recordingSavingSchema, savingFiltersFromConfig } from "../src/components/saving-filters/recording-saving.ts";
import { defineProgram } from "../src/programs/define-program.ts";
import type { ProgramContext } from "../src/programs/program-context.ts";
import { BasicConfigSchema, basicTemplate } from "../src/programs/templates/basic.ts";
import { DetectionConfigSchema, detectionTemplate } from "../src/programs/templates/detection.ts";
import { MessagingConfigSchema, messagingTemplate } from "../src/programs/templates/messaging.ts";
import { DETECTION_WORKERS } from "../src/programs/workers.ts";
import { lastRecordingAge } from "../src/system/metrics.ts";

/** acoupi_birdnet's `saving_managers`: file recordings by how sure the model is. */
export function savingManagersSchema(defaults: { true_dir: string; false_dir: string; detection_threshold: number; saving_threshold: number }) {
  // A sub-folder, so a value can never file recordings outside paths.recordings.
  const subFolder = z
    .string()
    .min(1)
    .refine((dir) => !isAbsolute(dir) && !dir.split(/[\\/]/).includes(".."), {
      message: "expected a sub-folder of paths.recordings (no leading / and no ..)",
    });
  return z.object({
    true_dir: subFolder.default(defaults.true_dir).describe("Sub-folder of paths.recordings for confident detections"),
    false_dir: subFolder.default(defaults.false_dir).describe("Sub-folder of paths.recordings for the rest that is kept"),
    timeformat: z.string().min(1).default("%Y%m%d_%H%M%S").describe("strftime format of the file names (UTC)"),
    detection_threshold: z.number().min(0).max(1).default(defaults.detection_threshold).describe("Detections at least this sure go to true_dir"),
    saving_threshold: z.number().min(0).max(1).default(defaults.saving_threshold).describe("Recordings with no detection at least this sure are deleted"),
  });
}

export const DetectionProgramConfigSchema = BasicConfigSchema.extend({
  messaging: MessagingConfigSchema.prefault({}),
  ...DetectionConfigSchema.shape,
  recording_saving: recordingSavingSchema().nullable().default(null).describe("Keep only recordings made in these windows (unset: keep all)"),
  saving_managers: savingManagersSchema({ true_dir: "detections", false_dir: "no_detections", detection_threshold: 0.5, saving_threshold: 0.2 })
    .nullable()
    .default(null)
    .describe("File recordings by detection confidence (unset: by date)"),
});
export type DetectionProgramConfig = z.output<typeof DetectionProgramConfigSchema>;

/** The wiring the `detection` and `birdnet` programs share: basic → messaging → detection. */
export function setupDetectionProgram(config: DetectionProgramConfig, ctx: ProgramContext): void {
  const managers = config.saving_managers;
  const basic = basicTemplate(ctx, config, {
    callbackQueue: "detection",
    savingFilters: savingFiltersFromConfig(config.recording_saving, { timezone: config.timezone }),
    fileManagers: managers
      ? [
          saveRecordingManager({
            dirpath: config.paths.recordings,
            dirpath_true: `${config.paths.recordings}/${managers.true_dir}`,
            dirpath_false: `${config.paths.recordings}/${managers.false_dir}`,
            timeformat: managers.timeformat,
            detection_threshold: managers.detection_threshold,
            saving_threshold: managers.saving_threshold,
          }),
        ]
      : [dateFileManager({ directory: config.paths.recordings, device_id: ctx.deps.deviceId, filename_template: config.file_management.filename_template })],
  });
  const messaging = messagingTemplate(ctx, config.messaging, {
    ...(basic.connection ? { connection: basic.connection } : {}),
    metrics: [() => lastRecordingAge(basic.recording.lastRecordingAt(), { now: ctx.deps.clock.now() })],
  });
  detectionTemplate(ctx, config, basic, { outbox: messaging.outbox });
}

export default defineProgram({
  name: "detection",
  description: "Records, runs an ONNX model on each recording, and reports detections",
  configSchema: DetectionProgramConfigSchema,
  workers: DETECTION_WORKERS,
  setup: setupDetectionProgram,
});
