/**
 * @module Cutting mono audio into fixed-length windows for a model: windows start every `hop`
 * samples, the last partial window is zero-padded, and audio shorter than one window still
 * gives one (padded) window. Empty audio gives none.
 */

/** Start offsets, in samples, of the windows over `length` samples. */
export function windowStarts(length: number, windowSamples: number, hopSamples: number): number[] {
  if (length <= 0) return [];
  if (length <= windowSamples) return [0];
  const count = Math.ceil((length - windowSamples) / hopSamples) + 1;
  return Array.from({ length: count }, (_, i) => i * hopSamples);
}

/** Copies the window at `start` into `target` at `offset`, zero-padding past the end. */
export function copyWindow(samples: Float32Array, start: number, windowSamples: number, target: Float32Array, offset: number): void {
  const end = Math.min(start + windowSamples, samples.length);
  const taken = Math.max(0, end - start);
  if (taken > 0) target.set(samples.subarray(start, end), offset);
  target.fill(0, offset + taken, offset + windowSamples);
}
