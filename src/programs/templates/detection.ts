/**
 * @module The detection template: puts the model on each recording. It takes what the basic and
 * (optionally) messaging templates made, `detectionTemplate(ctx, config, { basic, messaging })`,
 * registers the detection task after the recording task, or after the privacy filter when it is on
 * (`schedule: { after: basic.recordingSource }`); the task hands each recording to the analysis
 * backlog (`detections.backlog`, `detections.backlog_max`), which runs one model at a time and
 * never holds up capture. It declares its model so file management waits for it, and adds the
 * optional summary task. Its config is
 * acoupi's DetectionProgramConfiguration (`detections.threshold`) plus `model` and `summariser`,
 * and the species rules (`range_filter`, `species`, `confirmation`; see _species-rules.ts) whose
 * drops are recorded in the metadata database's decision log.
 */
import { z } from "zod";
import { detectionThresholdMessage } from "../../components/message-builders/detection-threshold-message.ts";
import type { MessageBuilder } from "../../components/message-builders/types.ts";
import { ModelSectionSchema } from "../../components/models/model-from-config.ts";
import { WorkerModel } from "../../components/models/worker-model.ts";
import type { Model } from "../../components/models/types.ts";
import type { ModelOutput, Recording } from "../../data/index.ts";
import { DetectionsConfigSchema, thresholdCleaner } from "../../components/output-cleaners/threshold-cleaner.ts";
import type { OutputCleaner } from "../../components/output-cleaners/types.ts";
import type { ProcessingFilter } from "../../components/processing-filters/types.ts";
import { statisticsSummariser } from "../../components/summarisers/statistics-summariser.ts";
import { ThresholdsSummariserConfigSchema, thresholdsSummariser } from "../../components/summarisers/thresholds-summariser.ts";
import type { Summariser } from "../../components/summarisers/types.ts";
import { noPrompt } from "../../config/markers.ts";
import { ConfigError } from "../../errors.ts";
import { AnalysisBacklog, BacklogMaxSchema, BacklogSchema } from "../../tasks/analysis-backlog.ts";
import { detectionTask, type DetectionTask } from "../../tasks/detection.ts";
import { DETECTION_TASK, SUMMARY_TASK } from "../../tasks/names.ts";
import type { ProgramContext } from "../program-context.ts";
import { DEFAULT_QUEUE } from "../workers.ts";
import type { BasicTemplate } from "./basic.ts";
import type { MessagingTemplate } from "./messaging.ts";
import { checkRatePaths } from "./_rate-check.ts";
import { SpeciesRulesConfigSchema, speciesRules } from "./_species-rules.ts";
import { SqliteDecisionLog } from "../../components/stores/decision-log.ts";
import { SqliteStore } from "../../components/stores/sqlite-store.ts";
import { CONFIRMATION_TASK } from "../../tasks/names.ts";
import type { DetectionRule } from "../../components/species-rules/types.ts";

/** acoupi's `detections` section, plus the threshold of the detection messages (acoupi_birdnet's model.detection_threshold). */
export const DetectionsSectionSchema = DetectionsConfigSchema.extend({
  message_threshold: z.number().min(0).max(1).nullable().default(null).describe("Send detections scoring at least this (default: threshold)"),
  backlog: noPrompt(BacklogSchema),
  backlog_max: noPrompt(BacklogMaxSchema),
});

export const DetectionConfigSchema = z.object({
  detections: DetectionsSectionSchema.prefault({}),
  model: ModelSectionSchema,
  summariser_config: noPrompt(ThresholdsSummariserConfigSchema.nullable().default(null)).describe("Send per-label summaries every interval (null: off)"),
  ...SpeciesRulesConfigSchema.shape,
});
export type DetectionConfig = z.output<typeof DetectionConfigSchema>;
/** A program that passes its own `model` option may leave the `model` section out of its schema. */
export type DetectionTemplateConfig = Omit<DetectionConfig, "model" | keyof RuleSections> & { model?: DetectionConfig["model"] } & RuleSections;
/** The rule sections; a program may leave them out of its schema (their defaults switch every rule off). */
type RuleSections = Partial<Pick<DetectionConfig, "range_filter" | "species" | "confirmation">>;

export interface DetectionTemplateOptions {
  /** Default: built from the `model` section. */
  model?: Model;
  /** Default: the `detections.threshold` cleaner. */
  outputCleaners?: OutputCleaner[];
  processingFilters?: ProcessingFilter[];
  /** Default: a detection-threshold message at `detections.message_threshold` (or `threshold`). */
  messageBuilders?: MessageBuilder[];
  /** Default: the rules of the `range_filter` and `species` sections (see _species-rules.ts). */
  rules?: DetectionRule[];
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

/** The rule sections the config gives, and the global threshold the rules fall back on. */
function ruleSections(config: DetectionTemplateConfig): RuleSections & { detections: { threshold: number } } {
  const picked: RuleSections & { detections: { threshold: number } } = { detections: config.detections };
  if (config.range_filter !== undefined) picked.range_filter = config.range_filter;
  if (config.species !== undefined) picked.species = config.species;
  if (config.confirmation !== undefined) picked.confirmation = config.confirmation;
  return picked;
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
  const section = config.model;
  const rules = speciesRules(ctx, { ...SpeciesRulesConfigSchema.parse({}), ...ruleSections(config) }, section?.kind === "classifier" ? section.labels : undefined);
  // With per-species thresholds the model emits down to the lowest; the rule judges each species.
  const threshold = rules.floor;
  // The `model` section's model runs in its own Worker, so inference never delays capture or filing.
  const given = options.model ?? (section === undefined ? undefined : new WorkerModel(section, threshold));
  if (given === undefined) {
    throw new ConfigError("The detection template needs a model: the config has no `model` section and no model was passed", {
      help: "Add a `model` section to the program's schema, or pass `{ model }` in the detection template's options",
    });
  }
  const model = ctx.use("model", given);
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
    rules: options.rules ?? rules.rules,
    confirmation: rules.confirmation,
    decisions: store instanceof SqliteStore ? new SqliteDecisionLog(store.connection) : null,
    clock: deps.clock,
    logger: deps.logger.withTag(DETECTION_TASK),
    health: inputs.basic.modelHealth,
  });
  // Capture first (docs/capture-first.md): the task only queues the recording; the backlog runs the
  // model one recording at a time, so the task sits on the unbounded default queue, where no
  // semaphore holds recordings out of the backlog's sight.
  const backlog = new AnalysisBacklog({
    policy: config.detections.backlog,
    max: config.detections.backlog_max,
    analyse: detection.run,
    onSkip: (recording) => ctx.unanalysed.add(recording.id),
    clock: deps.clock,
    logger: deps.logger.withTag(DETECTION_TASK),
  });
  ctx.onClose(() => backlog.close());
  function detection_task(recording: Recording): Promise<ModelOutput | undefined> {
    return backlog.submit(recording);
  }
  ctx.addTask(detection_task, { name: DETECTION_TASK, schedule: { after: inputs.basic.recordingSource }, queue: DEFAULT_QUEUE });
  ctx.onStatus("detection", () => {
    const own = detection.status();
    return { degraded: own.degraded ?? null, figures: { ...own.figures, ...backlog.status().figures } };
  });
  ctx.addHeartbeatMetric(() => {
    const now = deps.clock.now();
    return [
      { name: "analysis_backlog", value: backlog.size, unit: "count", captured_on: now },
      { name: "analysis_backlog_age", value: backlog.ageSeconds(), unit: "seconds", captured_on: now },
    ];
  });
  if (rules.confirmation !== null) {
    ctx.addTask(
      function confirmation_task() {
        detection.expire();
      },
      { name: CONFIRMATION_TASK, schedule: { every: 10 }, queue: "detection" },
    );
    // Whatever still waits when the program closes (the end of an analysis) is decided then.
    ctx.onClose(() => detection.flush());
  }

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
    // The backlog takes no more and its running analysis ends first: one model run at a time.
    await backlog.drain();
    // Held outputs next: their recordings have no output yet, and must not be run (and count) twice.
    detection.flush();
    for (const item of store.listRecordingsByState("temp")) {
      if (item.modelOutputs.some((o) => o.name_model === model.name)) continue;
      // Skipped by the backlog's policy: filed unanalysed, per file_management.on_timeout.
      if (ctx.unanalysed.has(item.recording.id)) continue;
      try {
        const screened = await inputs.basic.screen(item.recording, item.modelOutputs);
        if (screened !== undefined) await detection.run(screened);
      } catch (error) {
        deps.logger.error(`Detection of recording ${item.recording.id} at stop failed:`, error);
      }
    }
    detection.flush();
  });
  return { model, detection };
}
