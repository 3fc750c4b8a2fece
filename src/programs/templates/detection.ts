/**
 * @module The detection template: puts the model on each recording. It takes what the basic and
 * (optionally) messaging templates made, `detectionTemplate(ctx, config, { basic, messaging })`,
 * registers the detection task after the recording task, or after the privacy filter when it is on
 * (`schedule: { after: basic.recordingSource }`),
 * on the `detection` queue (one model run at a time), declares its model so file management
 * waits for it, and adds the optional summary task. Its config is
 * acoupi's DetectionProgramConfiguration (`detections.threshold`) plus `model` and `summariser`.
 */
import { z } from "zod";
import { detectionThresholdMessage } from "../../components/message-builders/detection-threshold-message.ts";
import type { MessageBuilder } from "../../components/message-builders/types.ts";
import { ModelSectionSchema, modelFromConfig } from "../../components/models/model-from-config.ts";
import type { Model } from "../../components/models/types.ts";
import { DetectionsConfigSchema, thresholdCleaner } from "../../components/output-cleaners/threshold-cleaner.ts";
import type { OutputCleaner } from "../../components/output-cleaners/types.ts";
import type { ProcessingFilter } from "../../components/processing-filters/types.ts";
import { statisticsSummariser } from "../../components/summarisers/statistics-summariser.ts";
import { ThresholdsSummariserConfigSchema, thresholdsSummariser } from "../../components/summarisers/thresholds-summariser.ts";
import type { Summariser } from "../../components/summarisers/types.ts";
import { noPrompt } from "../../config/markers.ts";
import { ConfigError } from "../../errors.ts";
import { detectionTask, type DetectionTask } from "../../tasks/detection.ts";
import { DETECTION_TASK, SUMMARY_TASK } from "../../tasks/names.ts";
import type { ProgramContext } from "../program-context.ts";
import type { BasicTemplate } from "./basic.ts";
import type { MessagingTemplate } from "./messaging.ts";
import { checkRatePaths } from "./_rate-check.ts";

/** acoupi's `detections` section, plus the threshold of the detection messages (acoupi_birdnet's model.detection_threshold). */
export const DetectionsSectionSchema = DetectionsConfigSchema.extend({
  message_threshold: z.number().min(0).max(1).nullable().default(null).describe("Send detections scoring at least this (default: threshold)"),
});

export const DetectionConfigSchema = z.object({
  detections: DetectionsSectionSchema.prefault({}),
  model: ModelSectionSchema,
  summariser_config: noPrompt(ThresholdsSummariserConfigSchema.nullable().default(null)).describe("Send per-label summaries every interval (null: off)"),
});
export type DetectionConfig = z.output<typeof DetectionConfigSchema>;
/** A program that passes its own `model` option may leave the `model` section out of its schema. */
export type DetectionTemplateConfig = Omit<DetectionConfig, "model"> & { model?: DetectionConfig["model"] };

export interface DetectionTemplateOptions {
  /** Default: built from the `model` section. */
  model?: Model;
  /** Default: the `detections.threshold` cleaner. */
  outputCleaners?: OutputCleaner[];
  processingFilters?: ProcessingFilter[];
  /** Default: a detection-threshold message at `detections.message_threshold` (or `threshold`). */
  messageBuilders?: MessageBuilder[];
  /** Default: the statistics and thresholds summarisers when `summariser_config` is set. */
  summarisers?: Summariser[];
}

/** What the templates before this one made: the store comes from basic, the outbox from messaging. */
export interface DetectionInputs {
  basic: BasicTemplate;
  /** Without messaging, outputs are stored and no message is built. */
  messaging?: MessagingTemplate;
}

export interface DetectionTemplate {
  model: Model;
  detection: DetectionTask;
}

export function detectionTemplate(
  ctx: ProgramContext,
  config: DetectionTemplateConfig,
  inputs: DetectionInputs,
  options: DetectionTemplateOptions = {},
): DetectionTemplate {
  const { deps } = ctx;
  const { store } = inputs.basic;
  const outbox = inputs.messaging?.outbox ?? null;
  const threshold = config.detections.threshold;
  const section = config.model;
  if (options.model === undefined && section === undefined) {
    throw new ConfigError("The detection template needs a model: the config has no `model` section and no model was passed", {
      help: "Add a `model` section to the program's schema, or pass `{ model }` in the detection template's options",
    });
  }
  const model = ctx.use("model", options.model ?? modelFromConfig(section as DetectionConfig["model"], threshold));
  ctx.requireModel(model.name);
  const modelRate = section?.kind === "silero_vad" ? 16_000 : section?.samplerate;
  if (modelRate !== undefined) {
    const key = section?.kind === "silero_vad" ? null : "model.samplerate";
    ctx.onCheck(() => checkRatePaths([{ consumer: `model "${model.name}"`, key, from: inputs.basic.samplerate, to: modelRate }]));
  }
  const detection = detectionTask({
    model,
    store,
    outbox,
    processingFilters: options.processingFilters ?? [],
    outputCleaners: options.outputCleaners ?? (threshold > 0 ? [thresholdCleaner(threshold)] : []),
    messageBuilders: options.messageBuilders ?? [detectionThresholdMessage(config.detections.message_threshold ?? threshold)],
    clock: deps.clock,
    logger: deps.logger.withTag(DETECTION_TASK),
    health: inputs.basic.modelHealth,
  });
  ctx.addTask(detection.run, { name: DETECTION_TASK, schedule: { after: inputs.basic.recordingSource }, queue: "detection" });
  ctx.onStatus("detection", detection.status);

  const summary = config.summariser_config;
  const summarisers =
    options.summarisers ??
    (summary === null
      ? []
      : [
          statisticsSummariser({ store, interval: summary.interval }),
          thresholdsSummariser({
            store,
            interval: summary.interval,
            low: summary.low_band_threshold,
            mid: summary.mid_band_threshold,
            high: summary.high_band_threshold,
          }),
        ]);
  if (summarisers.length > 0 && outbox !== null) {
    ctx.addTask(
      function summary_task() {
        const now = deps.clock.now();
        const messages = summarisers.map((summarise) => summarise(now)).filter((m) => m !== null);
        outbox.transaction(() => {
          for (const message of messages) outbox.storeMessage(message);
        });
        return { messages: messages.length };
      },
      { name: SUMMARY_TASK, schedule: { every: summary?.interval ?? 3600 } },
    );
  }

  // A crash between the commits of the metadata and outbox files keeps a model output without its
  // messages (see detection.ts). The newest outputs are the only ones that can be affected: all
  // of temp, and the latest saved or discarded (file management may have filed it on this start).
  ctx.onStart(() => {
    const recent = [
      ...store.listRecordingsByState("temp"),
      ...store.listRecordingsByState("saved", { limit: 5 }),
      ...store.listRecordingsByState("discarded", { limit: 5 }),
    ];
    detection.restoreMessages(recent.flatMap((item) => item.modelOutputs));
  });

  // On `acoupi stop`, run the model on what is still waiting, before the recordings are filed.
  ctx.onEnd(async () => {
    for (const item of store.listRecordingsByState("temp")) {
      if (item.modelOutputs.some((o) => o.name_model === model.name)) continue;
      try {
        const screened = await inputs.basic.screen(item.recording, item.modelOutputs);
        if (screened !== undefined) await detection.run(screened);
      } catch (error) {
        deps.logger.error(`Detection of recording ${item.recording.id} at stop failed:`, error);
      }
    }
  });
  return { model, detection };
}
