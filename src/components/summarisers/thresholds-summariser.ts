/**
 * @module thresholdsSummariser: acoupi's ThresholdsDetectionsSummariser, with its bands fixed.
 * Each of the three thresholds is where a band starts: low band `low ≤ s < mid`, mid band
 * `mid ≤ s < high`, high band `s ≥ high`; scores below `low` fall in no band. (acoupi counted
 * `s ≤ low` as "low" and never used the high threshold.) Per label it sends
 * `count_low_threshold, count_mid_threshold, count_high_threshold, mean_low_threshold,
 * mean_mid_threshold, mean_high_threshold` (means rounded to 3 places, 0.0 for an empty band)
 * and a `timeinterval`. It returns null when there were no detections at all.
 */
import { z } from "zod";
import { createMessage, pyFloat, stringifyAcoupi, type JsonTree, type Message } from "../../data/index.ts";
import type { Summariser } from "./types.ts";
import { DEFAULT_SUMMARY_INTERVAL, mean, round3, scoresByLabel, timeInterval, type PredictedTagSource } from "./_predicted-tags.ts";

export const ThresholdsSummariserConfigSchema = z
  .object({
    interval: z.number().positive().max(604_800).default(DEFAULT_SUMMARY_INTERVAL).describe("Seconds covered by each summary, and between summaries"),
    low_band_threshold: z.number().min(0).max(1).default(0.1).describe("Lowest score counted, where the low band starts"),
    mid_band_threshold: z.number().min(0).max(1).default(0.5).describe("Score where the mid band starts"),
    high_band_threshold: z.number().min(0).max(1).default(0.9).describe("Score where the high band starts"),
  })
  .refine((c) => c.low_band_threshold <= c.mid_band_threshold && c.mid_band_threshold <= c.high_band_threshold, {
    message: "the band thresholds must satisfy low ≤ mid ≤ high",
  });

export interface ThresholdsSummariserOptions {
  store: PredictedTagSource;
  interval?: number;
  low?: number;
  mid?: number;
  high?: number;
}

export function thresholdsSummariser(options: ThresholdsSummariserOptions): Summariser {
  const interval = options.interval ?? DEFAULT_SUMMARY_INTERVAL;
  const low = options.low ?? 0.1;
  const mid = options.mid ?? 0.5;
  const high = options.high ?? 0.9;
  if (!(low <= mid && mid <= high)) throw new RangeError(`Band thresholds must satisfy low ≤ mid ≤ high, got ${low}, ${mid}, ${high}`);
  return (now: Date): Message | null => {
    const groups = scoresByLabel(options.store, now, interval);
    if (groups.size === 0) return null;
    const body: Record<string, JsonTree> = {};
    for (const [label, scores] of groups) {
      const bands = {
        low: scores.filter((s) => s >= low && s < mid),
        mid: scores.filter((s) => s >= mid && s < high),
        high: scores.filter((s) => s >= high),
      };
      body[label] = {
        count_low_threshold: bands.low.length,
        count_mid_threshold: bands.mid.length,
        count_high_threshold: bands.high.length,
        mean_low_threshold: pyFloat(round3(mean(bands.low))),
        mean_mid_threshold: pyFloat(round3(mean(bands.mid))),
        mean_high_threshold: pyFloat(round3(mean(bands.high))),
      };
    }
    body.timeinterval = timeInterval(now, interval);
    return createMessage("summary", stringifyAcoupi(body), now);
  };
}
