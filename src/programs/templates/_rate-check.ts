/**
 * @module The samplerate check of `acoupi check` (internal to the templates): each path a
 * program's audio takes from the microphone (to the privacy screen's 16 kHz, to each model's
 * rate) is asked of the resampler, in real time (time expansion is undone first), and a path it
 * cannot serve fails the check naming both config keys and rates. Nothing is loaded: the same
 * rule that `resample` applies at run time answers here.
 */
import { MAX_RATE, MIN_RATE, resampleProblem } from "../../audio/resample.ts";
import type { CheckReport } from "../../data/index.ts";
import { ConfigError } from "../../errors.ts";

/** One path audio takes: from the capture rate (real) to what a consumer needs. */
export interface RatePath {
  /** Who reads the audio, e.g. `model "bats"` or `the privacy screen`. */
  consumer: string;
  /** The config key holding the consumer's rate, or null when it is fixed (Silero's 16 kHz). */
  key: string | null;
  from: number;
  to: number;
}

/** A CheckReport for the paths, or a ConfigError naming the first one that cannot be served. */
export function checkRatePaths(paths: readonly RatePath[]): CheckReport {
  const lines: string[] = [];
  for (const path of paths) {
    const problem = resampleProblem(path.from, path.to);
    const keys = path.key === null ? "microphone.samplerate" : `microphone.samplerate and ${path.key}`;
    if (problem !== null) {
      throw new ConfigError(`Audio at ${path.from} Hz cannot be served to ${path.consumer} at ${path.to} Hz: ${problem}`, {
        key: path.key ?? "microphone.samplerate",
        help: `Set ${keys} within ${MIN_RATE}–${MAX_RATE} Hz`,
      });
    }
    lines.push(path.from === path.to ? `${path.consumer} reads the ${path.from} Hz audio as it is` : `${path.consumer} reads the ${path.from} Hz audio resampled to ${path.to} Hz`);
  }
  return { subject: "samplerate", lines, warnings: [] };
}
