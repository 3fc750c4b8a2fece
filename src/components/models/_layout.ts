/**
 * @module What OnnxModel checks of a model's tensors against its config, at `check` and on each
 * run: the audio input (one float32 [batch, samples] input whose length is window × samplerate,
 * a hop no longer than the window) and the score output's layout. With `model.frames: none` the
 * output is per-window, [batch, labels]; otherwise per-frame, [batch, frames] for one label or
 * [batch, frames, labels]. Each refusal is a ModelError that names the tensors' shapes, the
 * numbers that disagree and the config keys to set.
 */
import { ModelError } from "../../errors.ts";
import { describeTensors, type OpenedSession, type TensorInfo } from "./_onnx-session.ts";

export type FramesMode = "none" | "peaks" | "segments";

export interface LayoutConfig {
  path: string;
  labels: string | readonly string[];
  samplerate: number;
  window: number;
  hop: number | null;
  batch: number;
  frames: FramesMode;
  frame_step: number | null;
  activation: "none" | "sigmoid" | "softmax";
}

const shapeText = (dims: ReadonlyArray<number | null>) => `[${dims.map((d) => (d === null ? "?" : String(d))).join(",")}]`;

/** Validates the audio input and the hop; returns the input's fixed batch size, or null when it is dynamic. */
export function checkInput(opened: OpenedSession, input: TensorInfo, config: LayoutConfig, key: string): number | null {
  const { path, samplerate, window, batch } = config;
  const windowSamples = Math.round(samplerate * window);
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
    throw new ModelError(`Model "${path}" input "${input.name}" is ${shapeText(input.shape)}: ${input.shape.length} dimensions, not [batch, samples]`, {
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
  const hop = config.hop ?? window;
  if (hop > window) {
    const hopSamples = Math.round(samplerate * hop);
    throw new ModelError(
      `${key}.hop is ${hop} s (${hopSamples} samples at ${samplerate} Hz), longer than ${key}.window ${window} s (${windowSamples} samples, the model's input): ${Number((hop - window).toFixed(6))} s of every ${hop} s would never reach the model`,
      { help: `Set ${key}.hop to at most ${window}, or leave it unset for back-to-back windows` },
    );
  }
  if (batchDim != null && batchDim !== batch) {
    throw new ModelError(`Model "${path}" input "${input.name}" takes batches of ${batchDim} windows, but ${key}.batch is ${batch}`, {
      help: `Set ${key}.batch to ${batchDim}`,
    });
  }
  return batchDim ?? null;
}

function labelsSource(config: LayoutConfig, key: string): string {
  return typeof config.labels === "string" ? `${key}.labels (labels file "${config.labels}")` : `${key}.labels (the label list)`;
}

function neither(config: LayoutConfig, key: string, name: string, dims: ReadonlyArray<number | null>, tensors: string): ModelError {
  return new ModelError(
    `Model "${config.path}" output "${name}" is ${shapeText(dims)}, which is neither per-window scores [batch, labels] nor per-frame scores [batch, frames] or [batch, frames, labels] (the model has ${tensors})`,
    {
      help: `Set ${key}.output to the model's score output, ${key}.frames to none for per-window scores or to peaks or segments for per-frame scores, and ${key}.labels to the labels in output order`,
    },
  );
}

/**
 * The number of frames per window the score output `dims` give (1 for per-window scores), or null
 * while a per-frame output's frame count is dynamic. `tensors` describes the model for messages.
 */
export function framesPerWindow(config: LayoutConfig, key: string, name: string, dims: ReadonlyArray<number | null>, labelCount: number, tensors: string): number | null {
  const { path } = config;
  if (config.frames === "none") {
    if (dims.length === 0) return 1;
    if (dims.length > 2) {
      throw new ModelError(`Model "${path}" output "${name}" is ${shapeText(dims)}, per-frame scores, but ${key}.frames is none (one score per label per window)`, {
        help: `Set ${key}.frames to peaks (one event per local maximum, e.g. a call) or segments (one event per run of frames above the threshold)`,
      });
    }
    const size = dims.at(-1) ?? null;
    if (size !== null && size !== labelCount) {
      const frameHint = labelCount === 1 && dims.length === 2 ? `; if these are ${size} per-frame scores of one class, set ${key}.frames to peaks or segments` : "";
      throw new ModelError(
        `Model "${path}" output "${name}" ${shapeText(dims)} has ${size} scores per window, but ${labelsSource(config, key)} has ${labelCount} labels`,
        { help: `Give ${key}.labels exactly ${size} labels, in the model's output order${frameHint}` },
      );
    }
    return 1;
  }
  if (dims.length === 0) return null;
  if (dims.length !== 2 && dims.length !== 3) throw neither(config, key, name, dims, tensors);
  const frames = dims[1] ?? null;
  const perFrame = dims.length === 2 ? 1 : (dims[2] ?? null);
  if (perFrame !== null && perFrame !== labelCount) {
    const what = dims.length === 2 ? "one score per frame (one class)" : `${perFrame} scores per frame`;
    throw new ModelError(`Model "${path}" output "${name}" is ${shapeText(dims)}: ${what}, but ${labelsSource(config, key)} has ${labelCount} labels`, {
      help: dims.length === 2 ? `Give ${key}.labels one label, the name of the class` : `Give ${key}.labels exactly ${perFrame} labels, in the model's output order`,
    });
  }
  if (perFrame === 1 && config.activation === "softmax") {
    throw new ModelError(`${key}.activation is softmax, but model "${path}" gives one score per frame: softmax over one class is always 1`, {
      help: `Set ${key}.activation to sigmoid (logits) or none (probabilities)`,
    });
  }
  if (frames !== null && config.frame_step !== null && frames * config.frame_step > config.window + config.frame_step) {
    throw new ModelError(
      `${key}.frame_step × frames is ${config.frame_step} × ${frames} = ${Number((frames * config.frame_step).toFixed(6))} s, longer than ${key}.window ${config.window} s`,
      { help: `Set ${key}.frame_step to about ${Number((config.window / frames).toFixed(6))} (window / frames), or leave it unset` },
    );
  }
  return frames;
}

/** The output's layout at load time, from the session's metadata. */
export function checkOutput(opened: OpenedSession, output: TensorInfo, config: LayoutConfig, key: string, labelCount: number): number | null {
  return framesPerWindow(config, key, output.name, output.shape, labelCount, describeTensors(opened));
}
