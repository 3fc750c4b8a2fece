/**
 * @module The config of an ONNX model (`model.*`): the file, labels, rate and windows, the
 * activation with BirdNET's sensitivity, how per-frame outputs are read, and the optional SHA-256
 * pin of the file. Windows are spaced by `hop`, or by `window − overlap` as BirdNET users say it;
 * giving both is refused by name. A `.tflite` path is refused with what to do instead.
 */
import { z } from "zod";
import { MAX_RATE, MIN_RATE } from "../../audio/resample.ts";
import { THREADS_SCHEMA, TFLITE_ADVICE } from "./_onnx-session.ts";

/** The longest model window, hop or frame gap, in seconds: far beyond any audio model's input. */
const MAX_WINDOW_S = 600;

const ModelFields = z.object({
  path: z
    .string()
    .min(1)
    .refine((p) => !/\.tflite$/i.test(p), { message: `the file ${TFLITE_ADVICE}` })
    .refine((p) => /\.tflite$/i.test(p) || /\.onnx$/i.test(p), { message: "the model file must end in .onnx" })
    .describe("Path of the ONNX model file"),
  labels: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe("Labels in the model's output order: a text file with one label per line, or a list"),
  name: z.string().min(1).nullable().default(null).describe("Model name stored with each output; defaults to the file name without .onnx"),
  samplerate: z.number().int().min(MIN_RATE).max(MAX_RATE).describe("Samplerate the model expects, in Hz; recordings are resampled to it"),
  window: z.number().positive().max(MAX_WINDOW_S).describe("Length of one model input window, in seconds"),
  hop: z.number().positive().max(MAX_WINDOW_S).nullable().default(null).describe("Seconds between window starts; defaults to the window length (give this or model.overlap, not both)"),
  overlap: z
    .number()
    .min(0)
    .max(MAX_WINDOW_S)
    .nullable()
    .default(null)
    .describe("Seconds by which consecutive windows overlap, as BirdNET users say it: window − hop (0 to 2.9 s for BirdNET's 3 s window); give this or model.hop, not both"),
  sensitivity: z
    .number()
    .min(0.5)
    .max(1.5)
    .default(1)
    .describe("BirdNET's sensitivity (0.5–1.5) with activation sigmoid: score = 1 / (1 + exp(−sensitivity · clip(x, −15, 15))); higher gives higher scores"),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { message: "model.sha256 must be 64 hexadecimal digits (the output of `sha256sum`)" })
    .nullable()
    .default(null)
    .describe("SHA-256 of the model file (optional): `check` and start refuse a file that differs"),
  label_format: z
    .enum(["plain", "scientific_common"])
    .default("plain")
    .describe("plain: each label is the tag's value; scientific_common: labels are `Genus species_Common Name` (BirdNET), the species tag holds the scientific name and a common_name tag is added"),
  input: z.string().min(1).nullable().default(null).describe("Name of the audio input tensor; defaults to the model's first input"),
  output: z.string().min(1).nullable().default(null).describe("Name of the score output tensor; defaults to the model's first output"),
  activation: z.enum(["none", "sigmoid", "softmax"]).default("none").describe("Function applied to the raw outputs to get scores in [0, 1]"),
  tag_key: z.string().min(1).default("species").describe("Key of the tag each detection carries (its value is the label)"),
  batch: z
    .number()
    .int()
    .min(1)
    .max(256)
    .default(1)
    .describe("Windows per inference run; above 1, weights are also prepacked (faster per window, more memory)"),
  threads: THREADS_SCHEMA,
  threshold: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .default(null)
    .describe("Lowest score emitted as a detection; defaults to detections.threshold"),
  frames: z
    .enum(["none", "peaks", "segments"])
    .default("none")
    .describe(
      "How to read the score output: none = one score per label per window, [batch, labels] (a classifier such as BirdNET); peaks = per-frame scores, [batch, frames] for one label or [batch, frames, labels], one event per local maximum (e.g. one bat call); segments = per-frame scores, one event per run of frames at or above the threshold",
    ),
  frame_step: z
    .number()
    .positive()
    .max(MAX_WINDOW_S)
    .nullable()
    .default(null)
    .describe("With frames peaks or segments: seconds per output frame; defaults to model.window divided by the number of frames the model outputs"),
  min_gap: z
    .number()
    .min(0)
    .max(MAX_WINDOW_S)
    .default(0)
    .describe("With frames peaks: the smallest distance between two peaks, in seconds; of two closer peaks the higher is kept (0 keeps every local maximum)"),
  merge_gap: z
    .number()
    .min(0)
    .max(MAX_WINDOW_S)
    .default(0)
    .describe("With frames segments: the largest gap, in seconds, merged inside one segment (0 merges only runs that touch)"),
});

/** The refinements shared by every schema that holds these fields (the model section too). */
export function hopOrOverlap<T extends { window?: number | undefined; hop: number | null; overlap: number | null }>(config: T, ctx: z.core.$RefinementCtx<T>): void {
  if (config.hop !== null && config.overlap !== null) {
    ctx.addIssue({ code: "custom", path: ["overlap"], message: "Give model.overlap or model.hop, not both (model.overlap is model.window − model.hop)" });
  }
  const window = config.window;
  if (config.overlap !== null && window !== undefined && config.overlap > window * (29 / 30) + 1e-9) {
    const most = Number(((window * 29) / 30).toFixed(6));
    ctx.addIssue({ code: "custom", path: ["overlap"], message: `model.overlap is ${config.overlap} s, but must be at most ${most} s for a ${window} s model.window (windows at least window/30 apart)` });
  }
}

export const ModelConfigSchema = ModelFields.superRefine(hopOrOverlap);
export type ModelConfig = z.output<typeof ModelConfigSchema>;

/** Seconds between window starts: `hop`, else `window − overlap`, else the window. */
export function windowHop(config: Pick<ModelConfig, "window" | "hop" | "overlap">): number {
  return config.hop ?? (config.overlap === null ? config.window : config.window - config.overlap);
}
