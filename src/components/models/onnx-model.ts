/**
 * @module OnnxModel: runs a window classifier in ONNX format (BirdNET-like: float32 audio
 * [batch, samples] in, one score per label out) with onnxruntime-web's WASM backend. It reads the
 * recording's WAV, mixes it down to mono, resamples it to the model's rate without aliasing, cuts
 * it into windows (the last one zero-padded) and emits one presence Detection per window and per
 * label scoring at least the threshold. ORT is imported on the first `check` or `run`, and the
 * session is created once and reused. Models with recurrent state, like Silero VAD, need their
 * own adapter (see silero-vad-model.ts).
 */
import { basename } from "node:path";
import type { InferenceSession } from "onnxruntime-web";
import { z } from "zod";
import { readRealTime } from "../../audio/real-time-audio.ts";
import type { CheckReport, Detection, ModelOutput, Recording } from "../../data/index.ts";
import { ModelError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { LazyLoad } from "./_lazy-load.ts";
import { loadLabels } from "./_labels.ts";
import { describeTensors, openSession, pickTensor, THREADS_SCHEMA, type OpenedSession, type TensorInfo } from "./_onnx-session.ts";
import { activate, presenceDetections } from "./_scores.ts";
import { copyWindow, windowStarts } from "./_windows.ts";
import type { Model } from "./types.ts";

const log = logger("model");

/** Used when neither `model.threshold` nor the program's `detections.threshold` is given. */
export const DEFAULT_MODEL_THRESHOLD = 0.2;

export const ModelConfigSchema = z.object({
  path: z
    .string()
    .min(1)
    .regex(/\.onnx$/i, { message: "the model file must end in .onnx" })
    .describe("Path of the ONNX model file"),
  labels: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe("Labels in the model's output order: a text file with one label per line, or a list"),
  name: z.string().min(1).nullable().default(null).describe("Model name stored with each output; defaults to the file name without .onnx"),
  samplerate: z.number().int().positive().describe("Samplerate the model expects, in Hz; recordings are resampled to it"),
  window: z.number().positive().describe("Length of one model input window, in seconds"),
  hop: z.number().positive().nullable().default(null).describe("Seconds between window starts; defaults to the window length"),
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
});
export type ModelConfig = z.output<typeof ModelConfigSchema>;

export interface OnnxModelDeps {
  /** The program's `detections.threshold`, used when `model.threshold` is not set. */
  threshold?: number;
  /** The config key of this model, for error messages; "model" by default. */
  configKey?: string;
}

interface Ready {
  opened: OpenedSession;
  labels: string[];
  input: TensorInfo;
  output: TensorInfo;
  windowSamples: number;
  hopSamples: number;
  /** The batch size the model's input fixes, or null when it is dynamic. */
  fixedBatch: number | null;
}

export class OnnxModel implements Model {
  readonly name: string;
  readonly threshold: number;
  #config: ModelConfig;
  #key: string;
  #session = new LazyLoad<Ready>(() => `Model "${this.name}"`, () => this.#load(), (ready) => ready.opened.session.release());

  constructor(config: ModelConfig, deps: OnnxModelDeps = {}) {
    this.#config = config;
    this.#key = deps.configKey ?? "model";
    this.name = config.name ?? basename(config.path).replace(/\.onnx$/i, "");
    this.threshold = config.threshold ?? deps.threshold ?? DEFAULT_MODEL_THRESHOLD;
  }

  /** Loads the session and the labels and checks that they fit the configuration. */
  async check(): Promise<CheckReport> {
    const ready = await this.#session.get();
    return {
      subject: `model ${this.name}`,
      lines: [
        `Model "${this.name}" loaded from ${this.#config.path}: ${describeTensors(ready.opened)}; ${ready.labels.length} labels, ${ready.windowSamples} samples per window`,
      ],
      warnings: [],
    };
  }

  async run(recording: Recording): Promise<ModelOutput> {
    const detections: Detection[] = [];
    const output: ModelOutput = { id: crypto.randomUUID(), name_model: this.name, recording, detections, created_on: new Date() };
    if (recording.path === null) return output;
    const ready = await this.#session.get();
    const rate = this.#config.samplerate;
    const { samples } = await readRealTime(recording.path, { rate, timeExpansion: recording.time_expansion });
    const starts = windowStarts(samples.length, ready.windowSamples, ready.hopSamples);
    const duration = samples.length / rate;
    const highFreq = recording.samplerate / 2;
    for (let first = 0; first < starts.length; first += this.#config.batch) {
      const batchStarts = starts.slice(first, first + this.#config.batch);
      const scores = await this.#infer(ready, samples, batchStarts, recording.path);
      batchStarts.forEach((start, k) => {
        const row = activate(scores.subarray(k * ready.labels.length, (k + 1) * ready.labels.length), this.#config.activation);
        const begin = start / rate;
        const place = { start: begin, end: Math.min(begin + this.#config.window, duration), highFreq };
        detections.push(...presenceDetections(row, ready.labels, this.threshold, this.#config.tag_key, place));
      });
    }
    output.created_on = new Date();
    return output;
  }

  close(): Promise<void> {
    return this.#session.release();
  }

  async #load(): Promise<Ready> {
    const config = this.#config;
    const key = this.#key;
    const labels = await loadLabels(config.labels, `${key}.labels`);
    const opened = await openSession(config.path, `${key}.path`, { threads: config.threads, prepack: config.batch > 1 });
    try {
      const input = pickTensor(opened.inputs, config.input ?? undefined, "input", `${key}.input`, config.path);
      const output = pickTensor(opened.outputs, config.output ?? undefined, "output", `${key}.output`, config.path);
      const windowSamples = Math.round(config.samplerate * config.window);
      const hopSamples = Math.max(1, Math.round(config.samplerate * (config.hop ?? config.window)));
      const fixedBatch = this.#checkInput(opened, input, windowSamples);
      this.#checkOutputSize(output.shape.at(-1) ?? null, labels.length, output.name);
      log.debug(`Loaded model "${this.name}" from ${config.path}: ${labels.length} labels, ${windowSamples} samples per window`);
      return { opened, labels, input, output, windowSamples, hopSamples, fixedBatch };
    } catch (error) {
      await opened.session.release();
      throw error;
    }
  }

  /** Validates the audio input; returns its fixed batch size, or null when it is dynamic. */
  #checkInput(opened: OpenedSession, input: TensorInfo, windowSamples: number): number | null {
    const { path, samplerate, window, batch } = this.#config;
    const key = this.#key;
    const others = opened.inputs.filter((t) => t.name !== input.name).map((t) => `"${t.name}"`);
    if (others.length > 0) {
      throw new ModelError(`Model "${path}" has inputs ${others.join(", ")} besides the audio input "${input.name}"`, {
        help: "OnnxModel feeds one audio input; use SileroVadModel for Silero VAD, or export the model with a single input",
      });
    }
    if (input.type !== "float32") {
      throw new ModelError(`Model "${path}" input "${input.name}" takes ${input.type}, not float32 audio`, {
        help: `Set ${key}.input to the model's float32 audio input`,
      });
    }
    if (input.shape.length !== 0 && input.shape.length !== 2) {
      throw new ModelError(`Model "${path}" input "${input.name}" has ${input.shape.length} dimensions, not [batch, samples]`, {
        help: "OnnxModel feeds float32 audio shaped [batch, samples]",
      });
    }
    const [batchDim, samplesDim] = input.shape;
    if (samplesDim != null && samplesDim !== windowSamples) {
      throw new ModelError(
        `Model "${path}" input "${input.name}" takes ${samplesDim} samples per window, but ${key}.samplerate × ${key}.window is ${samplerate} × ${window} = ${windowSamples}`,
        { help: `Set ${key}.window to ${samplesDim / samplerate} (seconds) or ${key}.samplerate to ${Math.round(samplesDim / window)}` },
      );
    }
    if (batchDim != null && batchDim !== batch) {
      throw new ModelError(`Model "${path}" input "${input.name}" takes batches of ${batchDim} windows, but ${key}.batch is ${batch}`, {
        help: `Set ${key}.batch to ${batchDim}`,
      });
    }
    return batchDim ?? null;
  }

  #checkOutputSize(size: number | null, labelCount: number, outputName: string): void {
    if (size === null || size === labelCount) return;
    const { path, labels } = this.#config;
    const source = typeof labels === "string" ? `labels file "${labels}"` : "the label list";
    throw new ModelError(
      `Model "${path}" output "${outputName}" has ${size} scores per window, but ${this.#key}.labels (${source}) has ${labelCount} labels`,
      { help: `Give ${this.#key}.labels exactly ${size} labels, in the model's output order` },
    );
  }

  /** Runs one batch; returns its scores, `labels.length` per window, in window order. */
  async #infer(ready: Ready, samples: Float32Array, starts: number[], source: string): Promise<Float32Array> {
    const { opened, input, output, windowSamples, labels } = ready;
    // A fixed batch dimension is filled with silent windows whose scores are dropped.
    const rows = ready.fixedBatch ?? starts.length;
    const data = new Float32Array(rows * windowSamples);
    starts.forEach((start, k) => copyWindow(samples, start, windowSamples, data, k * windowSamples));
    const tensor = new opened.ort.Tensor("float32", data, [rows, windowSamples]);
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await opened.session.run({ [input.name]: tensor }, [output.name]);
    } catch (error) {
      throw new ModelError(`Model "${this.name}" failed on "${source}": ${(error as Error).message}`, {
        help: `Run \`acoupi check\` to validate the model against ${this.#key}.samplerate and ${this.#key}.window`,
        cause: error,
      });
    } finally {
      tensor.dispose();
    }
    const scores = results[output.name];
    if (scores === undefined || !(scores.data instanceof Float32Array)) {
      throw new ModelError(`Model "${this.name}" output "${output.name}" is not a float32 tensor`, {
        help: `Set ${this.#key}.output to the model's float32 score output`,
      });
    }
    this.#checkOutputSize(scores.data.length / rows, labels.length, output.name);
    const copy = scores.data.slice(0, starts.length * labels.length);
    scores.dispose();
    return copy;
  }
}
