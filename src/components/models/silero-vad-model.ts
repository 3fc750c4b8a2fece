/**
 * @module SileroVadModel: voice activity detection with Silero VAD v5 (MIT), an ONNX model with
 * recurrent state that OnnxModel's plain [batch, samples] windows cannot feed. It runs the model
 * over 16 kHz audio in 32 ms frames (512 new samples after 64 samples of context, as Silero's own
 * wrapper does), carries the `state` → `stateN` tensor from frame to frame, and starts each
 * recording from a zero state. It reports one presence detection per window (default 1 s)
 * whose score is the highest frame probability in that window, when it reaches the threshold.
 */
import { basename } from "node:path";
import type { InferenceSession, Tensor } from "onnxruntime-web";
import { z } from "zod";
import { readRealTime } from "../../audio/real-time-audio.ts";
import type { CheckReport, Detection, ModelOutput, Recording } from "../../data/index.ts";
import { ModelError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { LazyLoad } from "./_lazy-load.ts";
import { describeTensors, openSession, THREADS_SCHEMA, type OpenedSession } from "./_onnx-session.ts";
import { presenceDetections } from "./_scores.ts";
import type { Model } from "./types.ts";

const RATE = 16000;
const FRAME = 512;
const CONTEXT = 64;
const STATE_DIMS = [2, 1, 128];
const log = logger("model");

export const SileroVadConfigSchema = z.object({
  path: z.string().min(1).regex(/\.onnx$/i, { message: "the model file must end in .onnx" }).describe("Path of silero_vad.onnx (v5)"),
  name: z.string().min(1).nullable().default(null).describe("Model name stored with each output; defaults to the file name without .onnx"),
  window: z.number().min(FRAME / RATE).default(1).describe("Seconds covered by each speech detection (rounded to 32 ms frames)"),
  threshold: z.number().min(0).max(1).default(0.5).describe("Lowest speech probability reported as a detection"),
  tag_key: z.string().min(1).default("sound").describe("Key of the tag each detection carries"),
  label: z.string().min(1).default("speech").describe("Value of the tag each detection carries"),
  threads: THREADS_SCHEMA,
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).nullable().default(null).describe("SHA-256 of the model file (optional): a file that differs is refused"),
});
export type SileroVadConfig = z.output<typeof SileroVadConfigSchema>;

export class SileroVadModel implements Model {
  readonly name: string;
  #config: SileroVadConfig;
  #key: string;
  #session = new LazyLoad<OpenedSession>(() => `Model "${this.name}"`, () => this.#load(), (opened) => opened.session.release());

  constructor(config: SileroVadConfig, deps: { configKey?: string } = {}) {
    this.#config = config;
    this.#key = deps.configKey ?? "model";
    this.name = config.name ?? basename(config.path).replace(/\.onnx$/i, "");
  }

  async check(): Promise<CheckReport> {
    const opened = await this.#session.get();
    return { subject: `model ${this.name}`, lines: [`Model "${this.name}" (Silero VAD) loaded from ${this.#config.path}: ${describeTensors(opened)}`], warnings: [] };
  }

  async run(recording: Recording): Promise<ModelOutput> {
    const detections: Detection[] = [];
    const output: ModelOutput = { id: crypto.randomUUID(), name_model: this.name, recording, detections, created_on: new Date() };
    if (recording.path === null) return output;
    const opened = await this.#session.get();
    const { samples } = await readRealTime(recording.path, { rate: RATE, timeExpansion: recording.time_expansion });
    const probabilities = await this.#frameProbabilities(opened, samples, recording.path);
    const framesPerWindow = Math.max(1, Math.round((this.#config.window * RATE) / FRAME));
    const duration = samples.length / RATE;
    for (let first = 0; first < probabilities.length; first += framesPerWindow) {
      const best = Math.max(...probabilities.subarray(first, first + framesPerWindow));
      const start = (first * FRAME) / RATE;
      const place = { start, end: Math.min(start + framesPerWindow * (FRAME / RATE), duration), highFreq: recording.samplerate / 2 };
      const { threshold, label, tag_key } = this.#config;
      detections.push(...presenceDetections(Float32Array.of(best), [label], threshold, tag_key, place));
    }
    output.created_on = new Date();
    return output;
  }

  /**
   * The speech probability of each frame of the file at `path` (16 kHz frames of 32 ms, in real
   * time), for the privacy filter; `timeExpansion` is the recording's factor (else GUANO's).
   */
  async speechProbabilities(path: string, timeExpansion?: number): Promise<{ frameSeconds: number; probabilities: Float32Array }> {
    const opened = await this.#session.get();
    const { samples } = await readRealTime(path, { rate: RATE, timeExpansion });
    return { frameSeconds: FRAME / RATE, probabilities: await this.#frameProbabilities(opened, samples, path) };
  }

  close(): Promise<void> {
    return this.#session.release();
  }

  /** The speech probability of each 32 ms frame, the last one zero-padded. */
  async #frameProbabilities(opened: OpenedSession, samples: Float32Array, source: string): Promise<Float32Array> {
    const { ort, session } = opened;
    const frames = Math.ceil(samples.length / FRAME);
    const probabilities = new Float32Array(frames);
    const sr = new ort.Tensor("int64", BigInt64Array.of(BigInt(RATE)), []);
    let state: Tensor = new ort.Tensor("float32", new Float32Array(2 * 128), STATE_DIMS);
    const buffer = new Float32Array(CONTEXT + FRAME);
    try {
      for (let f = 0; f < frames; f++) {
        // Keep the previous frame's last 64 samples as context, then the next 512 samples.
        buffer.copyWithin(0, FRAME, FRAME + CONTEXT);
        const chunk = samples.subarray(f * FRAME, (f + 1) * FRAME);
        buffer.set(chunk, CONTEXT);
        buffer.fill(0, CONTEXT + chunk.length);
        const input = new ort.Tensor("float32", buffer.slice(), [1, CONTEXT + FRAME]);
        let result: InferenceSession.OnnxValueMapType;
        try {
          result = await session.run({ input, state, sr });
        } catch (error) {
          throw new ModelError(`Model "${this.name}" failed on "${source}": ${(error as Error).message}`, { cause: error });
        }
        const probability = result.output?.data;
        const next = result.stateN;
        if (!(probability instanceof Float32Array) || next === undefined) {
          throw new ModelError(`Model "${this.name}" did not return "output" and "stateN"`, {
            help: `Set ${this.#key}.path to Silero VAD v5 (silero_vad.onnx)`,
          });
        }
        probabilities[f] = probability[0] ?? 0;
        state.dispose();
        input.dispose();
        state = next;
      }
    } finally {
      state.dispose();
      sr.dispose();
    }
    return probabilities;
  }

  async #load(): Promise<OpenedSession> {
    const { path, threads, sha256 } = this.#config;
    const opened = await openSession(path, `${this.#key}.path`, { threads, sha256, sha256Key: `${this.#key}.sha256` });
    const want: Record<string, string> = { input: "float32", state: "float32", sr: "int64" };
    const inputs = new Map(opened.inputs.map((t) => [t.name, t.type]));
    const outputs = new Set(opened.outputs.map((t) => t.name));
    const fits = Object.entries(want).every(([name, type]) => inputs.get(name) === type) && outputs.has("output") && outputs.has("stateN");
    if (!fits || opened.inputs.length !== 3) {
      await opened.session.release();
      const found = opened.inputs.map((t) => `${t.name}: ${t.type}`).join(", ");
      throw new ModelError(`Model "${path}" is not Silero VAD v5: its inputs are ${found}`, {
        help: `Set ${this.#key}.path to Silero VAD v5, whose inputs are input: float32, state: float32, sr: int64`,
      });
    }
    return opened;
  }
}
