/**
 * @module Anti-aliased resampling of mono float32 audio with libsamplerate (compiled to WASM, from
 * `@alexanderolsen/libsamplerate-js`). Its band-limited sinc filters remove content above the
 * new Nyquist frequency instead of folding it back, which a model trained on clean audio needs.
 * The library is imported on first use, so importing this module loads no WASM.
 */
import { mixdownMono, readWavSamples } from "./read-wav-samples.ts";

/** libsamplerate's converters, best first; "medium" is the default trade-off. */
export type ResampleQuality = "best" | "medium" | "fastest";

const CONVERTER: Record<ResampleQuality, 0 | 1 | 2> = { best: 0, medium: 1, fastest: 2 };

/**
 * Resamples mono samples from `fromRate` to `toRate` Hz. Returns the input itself when the rates
 * are equal. The output has about `length × toRate / fromRate` samples (libsamplerate may drop the last one).
 */
export async function resample(
  samples: Float32Array,
  fromRate: number,
  toRate: number,
  quality: ResampleQuality = "medium",
): Promise<Float32Array> {
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError(`Cannot resample from ${fromRate} Hz to ${toRate} Hz`);
  if (fromRate === toRate || samples.length === 0) return samples;
  const { create } = await import("@alexanderolsen/libsamplerate-js");
  const converter = await create(1, fromRate, toRate, { converterType: CONVERTER[quality] });
  try {
    return converter.simple(samples);
  } finally {
    converter.destroy();
  }
}

/** A WAV file's samples as mono float32 at `rate` Hz: what a model reads from a recording. */
export async function readMonoAt(path: string, rate: number): Promise<Float32Array> {
  const wav = await readWavSamples(path);
  return resample(mixdownMono(wav), wav.samplerate, rate);
}
