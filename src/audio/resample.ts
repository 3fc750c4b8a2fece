/**
 * @module Anti-aliased resampling of mono float32 audio, between any two rates from 8 kHz to
 * 500 kHz, with our own polyphase windowed-sinc filter (sinc-resampler.ts). It replaced
 * libsamplerate (WASM), which refuses rates over 192 kHz; bench/resample.ts measures both side by
 * side (ours was about 3× faster at 96→48 kHz, and needs no WASM instance). Content above the new
 * Nyquist frequency is removed instead of folded back, which a model trained on clean audio
 * needs. The supported range is a contract: `check` asks `resampleProblem` about each path a
 * program uses, and `resample` refuses the same rates with the same words.
 */
import { AcoupiError } from "../errors.ts";
import { applySinc, planSinc, SINC_DESIGNS, type SincPlan } from "./sinc-resampler.ts";

/** Filter designs, best first; "medium" (90% of the band kept, 100 dB stopband) is the default. */
export type ResampleQuality = keyof typeof SINC_DESIGNS;

/** The rates acoupi records, resamples and models at, in Hz. */
export const MIN_RATE = 8000;
export const MAX_RATE = 500_000;

/** Plans are kept for the few rate pairs a process uses (capture → model, capture → privacy). */
const PLAN_CACHE_SIZE = 4;
const plans = new Map<string, SincPlan>();

function planFor(fromRate: number, toRate: number, quality: ResampleQuality): SincPlan {
  const key = `${fromRate}>${toRate}:${quality}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = planSinc(fromRate, toRate, SINC_DESIGNS[quality]);
    if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value as string);
    plans.set(key, plan);
  }
  return plan;
}

function rateProblem(rate: number): string | null {
  if (!Number.isInteger(rate)) return `${rate} Hz is not a whole number of Hz`;
  if (rate < MIN_RATE || rate > MAX_RATE) return `${rate} Hz is outside ${MIN_RATE}–${MAX_RATE} Hz`;
  return null;
}

/**
 * Why audio at `fromRate` cannot be resampled to `toRate`, or null when it can. Equal rates
 * always can (nothing is resampled).
 */
export function resampleProblem(fromRate: number, toRate: number): string | null {
  if (fromRate === toRate && fromRate > 0) return null;
  return rateProblem(fromRate) ?? rateProblem(toRate);
}

/**
 * Resamples mono samples from `fromRate` to `toRate` Hz. Returns the input itself when the rates
 * are equal. The output has exactly `ceil(length × toRate / fromRate)` samples: one for every
 * output instant inside the input, so a second of audio stays a second.
 */
export async function resample(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  quality: ResampleQuality = "medium",
): Promise<Float32Array> {
  return resampleSync(samples, fromRate, toRate, quality);
}

/** `resample` without the promise, for callers that are synchronous. */
export function resampleSync(samples: Float32Array, fromRate: number, toRate: number, quality: ResampleQuality = "medium"): Float32Array {
  const problem = resampleProblem(fromRate, toRate);
  if (problem !== null) {
    throw new AcoupiError("audio", `Cannot resample from ${fromRate} Hz to ${toRate} Hz: ${problem}`, {
      help: `acoupi records and resamples audio at ${MIN_RATE}–${MAX_RATE} Hz; set the samplerate within that range`,
    });
  }
  if (fromRate === toRate || samples.length === 0) return samples;
  return applySinc(planFor(fromRate, toRate, quality), samples);
}

/** A WAV file's samples as mono float32 at `rate` Hz, in real time (see real-time-audio.ts). */
export async function readMonoAt(path: string, rate: number, timeExpansion?: number): Promise<Float32Array> {
  const { readRealTime } = await import("./real-time-audio.ts");
  return (await readRealTime(path, { rate, timeExpansion })).samples;
}
