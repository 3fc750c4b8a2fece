/**
 * @module OnnxModel: runs an audio model in ONNX format (float32 audio [batch, samples] in) with
 * onnxruntime-web's WASM backend. It reads the recording's WAV, mixes it down to mono, resamples
 * it to the model's rate without aliasing and cuts it into windows every `hop` (the last one
 * zero-padded). A window classifier (BirdNET-like, `frames: none`) gives one score per label per
 * window, and each label scoring at least the threshold becomes a presence Detection over the
 * window (BirdNET's sigmoid with `model.sensitivity`; `Genus species_Common Name` labels split into
 * species and common_name tags with `model.label_format`). A sound-event model (`frames: peaks |
 * segments`, BatDetect-like) gives scores per frame
 * of the window, which become timed events (_events.ts), each reported once even where windows
 * overlap. ORT is imported on the first `check` or `run`, and the session is created once and
 * reused. Models with recurrent state, like Silero VAD, need their own adapter (see
 * silero-vad-model.ts).
 */
import { basename } from "node:path";
import type { InferenceSession } from "onnxruntime-web";
import { readRealTime } from "../../audio/real-time-audio.ts";
import type { CheckReport, Detection, ModelOutput, Recording } from "../../data/index.ts";
import { ModelError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { LazyLoad } from "./_lazy-load.ts";
import { loadLabels } from "./_labels.ts";
import { eventDetections, mergeWindows, ownedPeaks, ownership, windowEvents, type EventRules, type TimedEvent } from "./_events.ts";
import { checkInput, checkOutput, framesPerWindow } from "./_layout.ts";
import { windowHop, type ModelConfig } from "./_model-config.ts";
import { describeTensors, openSession, pickTensor, type OpenedSession, type TensorInfo } from "./_onnx-session.ts";
import { activate, presenceDetections, splitSpeciesTags } from "./_scores.ts";
import { copyWindow, windowStarts } from "./_windows.ts";
import type { Model } from "./types.ts";

const log = logger("model");

/** Used when neither `model.threshold` nor the program's `detections.threshold` is given. */
export const DEFAULT_MODEL_THRESHOLD = 0.2;

export { ModelConfigSchema, type ModelConfig } from "./_model-config.ts";

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
  /** Frames per window the output metadata gives: 1 for per-window scores, null when dynamic. */
  frames: number | null;
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
        `Model "${this.name}" loaded from ${this.#config.path}: ${describeTensors(ready.opened)}; ${ready.labels.length} labels, ${ready.windowSamples} samples per window${this.#windowsText(ready)}${this.#framesText(ready)}`,
      ],
      warnings: this.#unusedKeys(),
    };
  }

  /** Frame keys that the chosen `frames` mode ignores, so that a typo in the mode shows. */
  #unusedKeys(): string[] {
    const { frames: mode, frame_step, min_gap, merge_gap } = this.#config;
    const set: Array<[string, boolean, boolean]> = [
      ["frame_step", frame_step !== null, mode !== "none"],
      ["min_gap", min_gap > 0, mode === "peaks"],
      ["merge_gap", merge_gap > 0, mode === "segments"],
    ];
    const warnings = set.filter(([, given, used]) => given && !used).map(([name]) => `${this.#key}.${name} is set but has no effect with ${this.#key}.frames ${mode}`);
    const { sensitivity, activation } = this.#config;
    if (sensitivity !== 1 && activation !== "sigmoid") warnings.push(`${this.#key}.sensitivity is set but has no effect with ${this.#key}.activation ${activation} (it scales sigmoid logits)`);
    return warnings;
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
    const { frames: mode, activation, window, sensitivity } = this.#config;
    const perWindow: TimedEvent[][] = [];
    let rules: EventRules | null = null;
    for (let first = 0; first < starts.length; first += this.#config.batch) {
      const batchStarts = starts.slice(first, first + this.#config.batch);
      const { scores, frames } = await this.#infer(ready, samples, batchStarts, recording.path);
      const size = frames * ready.labels.length;
      for (const [k, start] of batchStarts.entries()) {
        const row = scores.subarray(k * size, (k + 1) * size);
        const begin = start / rate;
        if (mode === "none") {
          activate(row, activation, sensitivity);
          const place = { start: begin, end: Math.min(begin + window, duration), highFreq };
          detections.push(...presenceDetections(row, ready.labels, this.threshold, this.#config.tag_key, place));
          continue;
        }
        for (let f = 0; f < frames; f++) activate(row.subarray(f * ready.labels.length, (f + 1) * ready.labels.length), activation, sensitivity);
        rules ??= this.#eventRules(mode, frames);
        perWindow.push(windowEvents(row, frames, ready.labels.length, begin, rules));
      }
    }
    if (rules !== null && mode !== "none") {
      // Peaks are taken from the window that holds them whole; segments are joined across windows.
      const owned = ownership(starts.map((s) => s / rate), window);
      const found = mode === "peaks" ? perWindow.flatMap((events, w) => ownedPeaks(events, owned[w] ?? { from: -Infinity, to: Infinity })) : perWindow.flat();
      const events = mergeWindows(found, rules, duration);
      detections.push(...eventDetections(events, mode, ready.labels, this.#config.tag_key, { lowFreq: 0, highFreq }));
    }
    output.created_on = new Date();
    if (this.#config.label_format === "scientific_common") output.detections = detections.map((d) => splitSpeciesTags(d, this.#config.tag_key));
    return output;
  }

  #eventRules(mode: "peaks" | "segments", frames: number): EventRules {
    const { frame_step, window, min_gap, merge_gap } = this.#config;
    return { mode, threshold: this.threshold, step: frame_step ?? window / frames, minGap: min_gap, mergeGap: merge_gap };
  }

  /** The window spacing and sensitivity, for `check`, when they are not the defaults. */
  #windowsText(ready: Ready): string {
    const { samplerate, sensitivity, activation } = this.#config;
    const hop = ready.hopSamples === ready.windowSamples ? "" : `, windows every ${Number((ready.hopSamples / samplerate).toFixed(6))} s`;
    return `${hop}${sensitivity !== 1 && activation === "sigmoid" ? `, sensitivity ${sensitivity}` : ""}`;
  }

  /** How a per-frame model is read, for `check`. */
  #framesText(ready: Ready): string {
    const { frames: mode, frame_step, window, min_gap, merge_gap } = this.#config;
    if (mode === "none") return "";
    const step = frame_step ?? (ready.frames === null ? null : window / ready.frames);
    const stepText = step === null ? `${ready.frames ?? "a dynamic number of"} frames` : `${ready.frames ?? "?"} frames of ${(step * 1000).toFixed(3)} ms`;
    const rule = mode === "peaks" ? `peaks ≥ ${this.threshold} at least ${(min_gap * 1000).toFixed(1)} ms apart` : `segments ≥ ${this.threshold} merged across gaps ≤ ${(merge_gap * 1000).toFixed(1)} ms`;
    return `; ${stepText} per window, ${rule}`;
  }

  close(): Promise<void> {
    return this.#session.release();
  }

  async #load(): Promise<Ready> {
    const config = this.#config;
    const key = this.#key;
    const labels = await loadLabels(config.labels, `${key}.labels`);
    const opened = await openSession(config.path, `${key}.path`, { threads: config.threads, prepack: config.batch > 1, sha256: config.sha256, sha256Key: `${key}.sha256` });
    try {
      const input = pickTensor(opened.inputs, config.input ?? undefined, "input", `${key}.input`, config.path);
      const output = pickTensor(opened.outputs, config.output ?? undefined, "output", `${key}.output`, config.path);
      const windowSamples = Math.round(config.samplerate * config.window);
      const hopSamples = Math.max(1, Math.round(config.samplerate * windowHop(config)));
      const fixedBatch = checkInput(opened, input, config, key);
      const frames = checkOutput(opened, output, config, key, labels.length);
      log.debug(`Loaded model "${this.name}" from ${config.path}: ${labels.length} labels, ${windowSamples} samples per window`);
      return { opened, labels, input, output, windowSamples, hopSamples, fixedBatch, frames };
    } catch (error) {
      await opened.session.release();
      throw error;
    }
  }

  /**
   * Runs one batch; returns its scores in window order, `frames` × `labels.length` per window
   * (frame-major), with `frames` 1 for a per-window model.
   */
  async #infer(ready: Ready, samples: Float32Array, starts: number[], source: string): Promise<{ scores: Float32Array; frames: number }> {
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
    const dims = scores.dims.length === 1 && rows > 1 ? [rows, (scores.dims[0] ?? 0) / rows] : scores.dims;
    const frames = framesPerWindow(this.#config, this.#key, output.name, dims, labels.length, describeTensors(opened)) ?? scores.data.length / rows / labels.length;
    if (scores.data.length !== rows * frames * labels.length) {
      const what = this.#config.frames === "none" ? `${labels.length} scores per window` : `${frames} frames × ${labels.length} labels per window`;
      throw new ModelError(`Model "${this.name}" output "${output.name}" gave ${scores.data.length} values [${dims.join(",")}] for ${rows} windows, not ${what}`, {
        help: `Run \`acoupi check\`, and set ${this.#key}.frames and ${this.#key}.labels to match the model's output`,
      });
    }
    const copy = scores.data.slice(0, starts.length * frames * labels.length);
    scores.dispose();
    return { scores: copy, frames };
  }
}
