/**
 * @module An example external program: a detection program with its own model and its own saving
 * rule, written only against the program API the binary hands it (no imports, nothing installed).
 *
 * - Its model is an ONNX classifier of its own (`loudness.model`, an `.onnx` file whose outputs
 *   are the labels `loudness.labels`), built with the API's OnnxModel class.
 * - Its saving rule keeps a recording only when one of `keep.labels` scored at least
 *   `keep.min_score` in it; every other recording is deleted.
 * - The rest is the framework's detection stack (`templates.detectionProgram`): recording,
 *   storage, the outbox and messaging, file management.
 *
 *   acoupi setup --program ./examples/loudness-detector.ts --loudness.model /path/model.onnx
 */
// A type-only import: erased when the binary loads this file, so nothing needs to be installed.
import type { ProgramApi, SavingFilter } from "../src/programs/api.ts";
export default (api: ProgramApi) => {
  const { z } = api;

  // The template's `model` section is left out: this program brings its own model.
  const configSchema = api.markers.withDefaults(api.templates.DetectionProgramConfigSchema.omit({ model: true }), {
    detections: { threshold: 0.05 },
  }).extend({
    loudness: z
      .object({
        model: z.string().min(1).regex(/\.onnx$/i, { message: "the model file must end in .onnx" }).describe("The loudness ONNX model"),
        labels: z.array(z.string().min(1)).min(1).default(["loud", "energy"]).describe("The model's output labels, in order"),
        samplerate: z.number().int().positive().default(16000).describe("Samplerate the model expects, in Hz"),
        window: z.number().positive().default(0.5).describe("Seconds of audio per model window"),
      })
      .describe("This program's own model"),
    keep: z
      .object({
        labels: z.array(z.string().min(1)).min(1).default(["loud"]).describe("Labels whose detections keep a recording"),
        min_score: z.number().min(0).max(1).default(0.1).describe("Keep a recording when one of the labels scored at least this"),
      })
      .prefault({})
      .describe("The saving rule"),
  });

  /** The saving rule: a saving filter is (recording, modelOutputs) => boolean. */
  function keepLoud(labels: readonly string[], minScore: number): SavingFilter {
    const wanted = new Set(labels);
    return (_recording, outputs) =>
      outputs.some((output) =>
        output.detections.some((d) => d.detection_score >= minScore && d.tags.some((t) => wanted.has(t.tag.value))),
      );
  }

  return api.defineProgram({
    apiVersion: 1,
    name: "loudness-detector",
    description: "Keeps only the loud recordings, found by its own ONNX model",
    configSchema,
    workers: api.workers.DETECTION_WORKERS,
    setup(config, ctx) {
      const model = new api.models.OnnxModel(
        {
          ...api.models.ModelConfigSchema.parse({
            path: config.loudness.model,
            labels: config.loudness.labels,
            samplerate: config.loudness.samplerate,
            window: config.loudness.window,
          }),
          name: "loudness",
        },
        { threshold: config.detections.threshold, configKey: "loudness" },
      );
      api.templates.detectionProgram(ctx, config, {
        basic: { savingFilters: [keepLoud(config.keep.labels, config.keep.min_score)] },
        detection: { model },
      });
    },
  });
};
