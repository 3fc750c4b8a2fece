/**
 * @module rmsAbove: runs the model only on recordings louder than a level, so a quiet night
 * costs no inference. The level is the RMS of the mono mixdown in dBFS (0 dBFS is a full-scale
 * square wave, so a full-scale sine is about -3 dBFS, and digital silence is -Infinity).
 */
import { mixdownMono, readWavSamples } from "../../audio/read-wav-samples.ts";
import type { Recording } from "../../data/index.ts";
import type { ProcessingFilter } from "./types.ts";

/** The RMS level of samples in dBFS. */
export function rmsDbfs(samples: Float32Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (const v of samples) sum += v * v;
  return 10 * Math.log10(sum / samples.length);
}

export function rmsAbove(thresholdDbfs: number): ProcessingFilter {
  return async (recording: Recording): Promise<boolean> => {
    if (recording.path === null) return false;
    const wav = await readWavSamples(recording.path);
    return rmsDbfs(mixdownMono(wav)) >= thresholdDbfs;
  };
}
