/**
 * @module The `bat` program: ultrasonic recording at 256 kHz (384 or 500 kHz by
 * `microphone.samplerate`), duty-cycled 3 s every 10 s from 19:00 to 07:00 by default, or
 * continuous with `recording.interval` equal to `recording.duration`. `microphone.time_expansion`
 * is written to GUANO and undone by everything that reads the files. An AudioMoth-style energy
 * trigger (`trigger.fmin_hz`, `trigger.fmax_hz`, `trigger.threshold_db`, `trigger.min_duration_s`)
 * finds calls with no model; with a `model` section (any sound-event ONNX model, bring your own
 * weights) the trigger screens each recording first and gives the model's calls their band, and
 * with `trigger` set to null the model runs on every recording. Only recordings with a bat event at
 * `detections.threshold` or above are kept. See docs/bat.md.
 */
import { z } from "zod";
import { EnergyTrigger, TriggerConfigSchema } from "../src/components/models/energy-trigger.ts";
import { modelFromConfig } from "../src/components/models/model-from-config.ts";
import { TriggeredModel } from "../src/components/models/triggered-model.ts";
import type { Model } from "../src/components/models/types.ts";
import { savingThreshold } from "../src/components/saving-filters/saving-threshold.ts";
import { withDefaults } from "../src/config/with-defaults.ts";
import { ConfigError } from "../src/errors.ts";
import { defineProgram } from "../src/programs/define-program.ts";
import { DetectionProgramConfigSchema, detectionProgramTemplate } from "../src/programs/templates/detection-program.ts";
import { DETECTION_WORKERS } from "../src/programs/workers.ts";

const BatBaseSchema = DetectionProgramConfigSchema.extend({
  trigger: TriggerConfigSchema.nullable()
    .prefault({})
    .describe("The energy trigger: keep recordings where the band's power rises above the background (null: off, the model runs on every recording)"),
  model: DetectionProgramConfigSchema.shape.model
    .nullable()
    .default(null)
    .describe("A sound-event ONNX model that classifies the calls (null: the trigger alone)"),
}).refine((c) => c.trigger !== null || c.model !== null, {
  path: ["trigger"],
  message: "the bat program needs the energy trigger, a model, or both: trigger and model are both null",
});

export const BatConfigSchema = withDefaults(BatBaseSchema, {
  microphone: { samplerate: 256_000 },
  recording: { duration: 3, interval: 10, schedule_start: "19:00:00", schedule_end: "07:00:00" },
  detections: { threshold: 0.5 },
  saving_managers: null,
});
export type BatConfig = z.output<typeof BatConfigSchema>;

/** The model the bat program runs: the trigger alone, the classifier behind the trigger, or the classifier alone. */
export function batModel(config: BatConfig): Model {
  const trigger = config.trigger === null ? null : new EnergyTrigger(config.trigger);
  const classifier = config.model === null ? null : modelFromConfig(config.model, config.detections.threshold);
  if (classifier !== null) return trigger === null ? classifier : new TriggeredModel(trigger, classifier);
  if (trigger !== null) return trigger;
  throw new ConfigError("The bat program needs the energy trigger, a model, or both: `trigger` and `model` are both unset", {
    key: "trigger",
    help: "Run `acoupi config set trigger.threshold_db 12` to turn the trigger on, or set model.path to a sound-event model",
  });
}

export default defineProgram({
  apiVersion: 1,
  name: "bat",
  description: "Ultrasonic recording (256 kHz) with an energy trigger and an optional sound-event model; keeps recordings with bat calls",
  configSchema: BatConfigSchema,
  workers: DETECTION_WORKERS,
  setup(config, ctx) {
    const model = batModel(config);
    const threshold = config.detections.threshold;
    detectionProgramTemplate(
      ctx,
      { ...config, model: config.model ?? undefined },
      { basic: { savingFilters: [savingThreshold(threshold)] }, detection: { model } },
    );
  },
});
