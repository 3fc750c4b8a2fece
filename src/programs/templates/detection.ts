/**
 * @module The detection template: puts the model on each recording. It registers the detection
 * task as a callback of the recording task on the `detection` queue (one model run at a time),
 * makes file management wait for the model, and adds the optional summary task. Its config is
 * acoupi's DetectionProgramConfiguration (`detections.threshold`) plus `model` and `summariser`.
 */
import { z } from "zod";
import { detectionThresholdMessage } from "../../components/message-builders/detection-threshold-message.ts";
import type { MessageBuilder } from "../../components/message-builders/types.ts";
import type { MessageStore } from "../../components/message-stores/types.ts";
import { ModelSectionSchema, modelFromConfig } from "../../components/models/model-from-config.ts";
import type { Model } from "../../components/models/types.ts";
import { DetectionsConfigSchema, thresholdCleaner } from "../../components/output-cleaners/threshold-cleaner.ts";
import type { OutputCleaner } from "../../components/output-cleaners/types.ts";
import type { ProcessingFilter } from "../../components/processing-filters/types.ts";
import { statisticsSummariser } from "../../components/summarisers/statistics-summariser.ts";
import { thresholdsSummariser } from "../../components/summarisers/thresholds-summariser.ts";
import type { Summariser } from "../../components/summarisers/types.ts";
import { noPrompt } from "../../config/markers.ts";
import { detectionTask, type DetectionTask } from "../../tasks/detection.ts";
import type { ProgramContext } from "../program-context.ts";
import type { BasicTemplate } from "./basic.ts";

export const SummariserConfigSchema = z.object({
  interval: z.number().positive().default(3600).describe("Seconds covered by each summary, and between summaries"),
  low_band_threshold: z.number().min(0).max(1).default(0.1).describe("Lowest score counted in the band counts"),
  mid_band_threshold: z.number().min(0).max(1).default(0.5).describe("Score where the mid band starts"),
  high_band_threshold: z.number().min(0).max(1).default(0.9).describe("Score where the high band starts"),
});

/** acoupi's `detections` section, plus the threshold of the detection messages (acoupi_birdnet's model.detection_threshold). */
export const DetectionsSectionSchema = DetectionsConfigSchema.extend({
  message_threshold: z.number().min(0).max(1).nullable().default(null).describe("Send detections scoring at least this (default: threshold)"),
});

export const DetectionConfigSchema = z.object({
  detections: DetectionsSectionSchema.prefault({}),
  model: ModelSectionSchema,
  summariser_config: noPrompt(SummariserConfigSchema.nullable().default(null)).describe("Send per-label summaries every interval (null: off)"),
});
export type DetectionConfig = z.output<typeof DetectionConfigSchema>;

export interface DetectionTemplateOptions {
  /** Default: built from the `model` section. */
  model?: Model;
  /** The outbox messages are stored in; none without messaging. */
  outbox?: MessageStore | null;
  /** Default: the `detections.threshold` cleaner. */
  outputCleaners?: OutputCleaner[];
  processingFilters?: ProcessingFilter[];
  /** Default: a detection-threshold message at `detections.threshold` when there is an outbox. */
  messageBuilders?: MessageBuilder[];
  summarisers?: Summariser[];
}

export interface DetectionTemplate {
  model: Model;
  detection: DetectionTask;
}

export function detectionTemplate(
  ctx: ProgramContext,
  config: DetectionConfig,
  basic: BasicTemplate,
  options: DetectionTemplateOptions = {},
): DetectionTemplate {
  const { deps } = ctx;
  const threshold = config.detections.threshold;
  const model = options.model ?? modelFromConfig(config.model, threshold);
  ctx.onClose(() => model.close());
  ctx.onCheck(() => model.check());
  basic.requireModel(model.name);
  const outbox = options.outbox ?? null;
  const detection = detectionTask({
    model,
    store: basic.store,
    outbox: () => outbox,
    processingFilters: options.processingFilters ?? [],
    outputCleaners: options.outputCleaners ?? (threshold > 0 ? [thresholdCleaner(threshold)] : []),
    messageBuilders: options.messageBuilders ?? [detectionThresholdMessage(config.detections.message_threshold ?? threshold)],
    clock: deps.clock,
    logger: deps.logger.withTag("detection_task"),
  });
  ctx.addTask(detection.run, { name: "detection_task", schedule: { after: "recording_task" }, queue: "detection" });
  ctx.onStatus("detection", detection.status);

  const summary = config.summariser_config;
  const summarisers =
    options.summarisers ??
    (summary === null
      ? []
      : [
          statisticsSummariser({ store: basic.store, interval: summary.interval }),
          thresholdsSummariser({
            store: basic.store,
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
        for (const message of messages) outbox.storeMessage(message);
        return { messages: messages.length };
      },
      { name: "summary_task", schedule: { every: summary?.interval ?? 3600 } },
    );
  }

  // A crash between the commits of the metadata and outbox files keeps a model output without its
  // messages (see detection.ts). The newest outputs are the only ones that can be affected: all
  // of temp, and the latest saved or discarded (file management may have filed it on this start).
  ctx.onStart(() => {
    const recent = [
      ...basic.store.listRecordingsByState("temp"),
      ...basic.store.listRecordingsByState("saved", { limit: 5 }),
      ...basic.store.listRecordingsByState("discarded", { limit: 5 }),
    ];
    detection.restoreMessages(recent.flatMap((item) => item.modelOutputs));
  });

  // On `acoupi stop`, run the model on what is still waiting, before the recordings are filed.
  ctx.onEnd(async () => {
    for (const item of basic.store.listRecordingsByState("temp")) {
      if (item.modelOutputs.some((o) => o.name_model === model.name)) continue;
      try {
        await detection.run(item.recording);
      } catch (error) {
        deps.logger.error(`Detection of recording ${item.recording.id} at stop failed:`, error);
      }
    }
  });
  return { model, detection };
}
