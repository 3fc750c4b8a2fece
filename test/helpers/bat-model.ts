/**
 * @module A stand-in for a BatDetect (v1) bat-call detector exported to ONNX, with exactly its
 * contract (issue 19's worked example): input `audio` float32 [1, 102400] (0.4 s at 256 kHz,
 * samples in [-1, 1]), output `bat_prob` float32 [1, 85] (one probability per 4.706 ms step),
 * run with windows 0.4 s long every 0.377 s and peaks at least 3 steps apart. The graph is real
 * signal processing whose output peaks where the input has an ultrasonic FM sweep: a 63-tap
 * high-pass FIR (Conv, cut-off 25 kHz) removes audible sound, the result is squared, padded by 25
 * zeros to 85 × 1205 samples, reshaped to [1, 85, 1205] and averaged per frame (ReduceMean), then
 * `sigmoid(SCALE · (energy − BIAS))`. Also here: audio with FM sweeps (80 → 30 kHz over 3 ms by
 * default) planted at given onsets in noise (loud audible hum and rumble, faint broadband hiss)
 * at 256 kHz, a WAV writer for it, and the `model` config that runs the model. Used by the model
 * tests, `acoupi analyze` tests and the bat program.
 */
import { wavHeader } from "../../src/audio/wav.ts";
import { buildOnnxModel } from "./onnx-builder.ts";

/** The worked example's numbers. */
export const BAT = {
  samplerate: 256_000,
  /** Samples per model window (0.4 s). */
  samples: 102_400,
  frames: 85,
  window: 0.4,
  hop: 0.377,
  /** Seconds per output frame, 0.4 / 85 ≈ 4.706 ms. */
  step: 0.4 / 85,
  /** BatDetect's non-maximum suppression: peaks at least 3 steps apart. */
  minGap: (3 * 0.4) / 85,
  input: "audio",
  output: "bat_prob",
  label: "bat",
} as const;

/** Samples per frame inside the graph: 85 × 1205 = 102425, the input padded by 25 samples. */
const FRAME_SAMPLES = 1205;
const PAD = BAT.frames * FRAME_SAMPLES - BAT.samples;
const TAPS = 63;
const CUTOFF_HZ = 25_000;
/** The logistic's centre and slope, on the mean square of the high-passed audio in a frame. */
export const BAT_MODEL_BIAS = 0.02;
export const BAT_MODEL_SCALE = 200;

/** A Hamming-windowed sinc high-pass (spectral inversion of the low-pass), `taps` odd. */
export function highPassFir(cutoffHz: number, samplerate: number, taps: number): Float32Array {
  const fc = cutoffHz / samplerate;
  const mid = (taps - 1) / 2;
  const low = new Float64Array(taps);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const k = n - mid;
    const sinc = k === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * k) / (Math.PI * k);
    low[n] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (taps - 1)));
    sum += low[n] as number;
  }
  const high = new Float32Array(taps);
  for (let n = 0; n < taps; n++) high[n] = (n === mid ? 1 : 0) - (low[n] as number) / sum;
  return high;
}

/**
 * The ONNX bytes of the stand-in detector. `batch` fixes the batch dimension (1, as the worked
 * example) or names it dynamic; `bias`/`scale` move the logistic.
 */
export function batModel(options: { batch?: number | string; bias?: number; scale?: number } = {}): Uint8Array {
  const batch = options.batch ?? 1;
  const fir = highPassFir(CUTOFF_HZ, BAT.samplerate, TAPS);
  const half = (TAPS - 1) / 2;
  return buildOnnxModel({
    inputs: [{ name: BAT.input, shape: [batch, BAT.samples] }],
    outputs: [{ name: BAT.output, shape: [batch, BAT.frames] }],
    initializers: [
      { name: "shape_in", dims: [3], data: BigInt64Array.of(-1n, 1n, BigInt(BAT.samples)) },
      { name: "fir", dims: [1, 1, TAPS], data: fir },
      { name: "pads", dims: [6], data: BigInt64Array.of(0n, 0n, 0n, 0n, 0n, BigInt(PAD)) },
      { name: "shape_frames", dims: [3], data: BigInt64Array.of(-1n, BigInt(BAT.frames), BigInt(FRAME_SAMPLES)) },
      { name: "bias", dims: [], data: Float32Array.of(options.bias ?? BAT_MODEL_BIAS) },
      { name: "scale", dims: [], data: Float32Array.of(options.scale ?? BAT_MODEL_SCALE) },
    ],
    nodes: [
      { op: "Reshape", inputs: [BAT.input, "shape_in"], outputs: ["x"] },
      { op: "Conv", inputs: ["x", "fir"], outputs: ["hp"], attributes: { kernel_shape: [TAPS], pads: [half, half] } },
      { op: "Mul", inputs: ["hp", "hp"], outputs: ["power"] },
      { op: "Pad", inputs: ["power", "pads"], outputs: ["padded"], attributes: { mode: "constant" } },
      { op: "Reshape", inputs: ["padded", "shape_frames"], outputs: ["frames"] },
      { op: "ReduceMean", inputs: ["frames"], outputs: ["energy"], attributes: { axes: [2], keepdims: 0 } },
      { op: "Sub", inputs: ["energy", "bias"], outputs: ["centred"] },
      { op: "Mul", inputs: ["centred", "scale"], outputs: ["logit"] },
      { op: "Sigmoid", inputs: ["logit"], outputs: [BAT.output] },
    ],
  });
}

export interface SweepOptions {
  /** Start and end frequency, in Hz (a downward FM sweep by default). */
  from?: number;
  to?: number;
  /** Length in seconds (3 ms by default). */
  duration?: number;
  amplitude?: number;
  samplerate?: number;
}

/** One linear FM sweep with 0.1 ms raised-cosine ramps at both ends. */
export function fmSweep(options: SweepOptions = {}): Float32Array {
  const { from = 80_000, to = 30_000, duration = 0.003, amplitude = 0.5, samplerate = BAT.samplerate } = options;
  const n = Math.round(duration * samplerate);
  const ramp = Math.max(1, Math.round(0.0001 * samplerate));
  const rate = (to - from) / duration;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / samplerate;
    const phase = 2 * Math.PI * (from * t + (rate * t * t) / 2);
    const edge = Math.min(i, n - 1 - i);
    const gain = edge >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp);
    out[i] = amplitude * gain * Math.sin(phase);
  }
  return out;
}

export interface BatAudioOptions {
  seconds: number;
  /** Sweep onsets, in seconds from the start. */
  onsets?: readonly number[];
  samplerate?: number;
  sweep?: Omit<SweepOptions, "samplerate">;
  /** Amplitude of the audible background (a 3 kHz hum and a 700 Hz rumble), 0.2 by default. */
  hum?: number;
  /** Standard deviation of the broadband hiss, 0.005 by default. */
  hiss?: number;
  seed?: number;
}

/** A deterministic standard normal generator (xorshift32 + Box–Muller). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Mono audio in [-1, 1]: background noise with an FM sweep starting at each onset. */
export function batAudio(options: BatAudioOptions): Float32Array {
  const { seconds, onsets = [], samplerate = BAT.samplerate, hum = 0.2, hiss = 0.005, seed = 19 } = options;
  const n = Math.round(seconds * samplerate);
  const out = new Float32Array(n);
  const noise = gaussian(seed);
  for (let i = 0; i < n; i++) {
    const t = i / samplerate;
    out[i] = hum * (0.6 * Math.sin(2 * Math.PI * 3000 * t) + 0.4 * Math.sin(2 * Math.PI * 700 * t)) + hiss * noise();
  }
  const sweep = fmSweep({ ...options.sweep, samplerate });
  for (const onset of onsets) {
    const at = Math.round(onset * samplerate);
    for (let i = 0; i < sweep.length && at + i < n; i++) if (at + i >= 0) out[at + i] = (out[at + i] as number) + (sweep[i] as number);
  }
  for (let i = 0; i < n; i++) out[i] = Math.max(-1, Math.min(1, out[i] as number));
  return out;
}

/** 16-bit PCM mono WAV bytes of `samples` (in [-1, 1]). */
export function wav16(samples: Float32Array, samplerate: number = BAT.samplerate): Uint8Array {
  const header = wavHeader({ samplerate, channels: 1, bitsPerSample: 16 }, samples.length * 2);
  const out = new Uint8Array(header.length + samples.length * 2);
  out.set(header);
  const view = new DataView(out.buffer, header.length);
  samples.forEach((v, i) => view.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(v * 32767))), true));
  return out;
}

/** Writes a 16-bit WAV of bat audio (see batAudio) to `path`; returns the audio. */
export async function writeBatWav(path: string, options: BatAudioOptions): Promise<Float32Array> {
  const audio = batAudio(options);
  await Bun.write(path, wav16(audio, options.samplerate ?? BAT.samplerate));
  return audio;
}

/** The `model` config section that runs the stand-in detector at `path` the worked example's way. */
export function batModelConfig(path: string, frames: "peaks" | "segments" = "peaks"): Record<string, unknown> {
  return {
    path,
    labels: [BAT.label],
    samplerate: BAT.samplerate,
    window: BAT.window,
    hop: BAT.hop,
    input: BAT.input,
    output: BAT.output,
    frames,
    min_gap: BAT.minGap,
    threshold: 0.5,
  };
}
