/**
 * @module The `range_filter` rule: drops a detection whose species scores below
 * `range_filter.threshold` in the range model's mask for the recording's place (its deployment's
 * coordinates) and BirdNET week (from its start; −1, the whole year, for a file with no date). A
 * species the range model does not know is kept.
 * Without coordinates it refuses to judge (a ConfigError): `start` already refuses a range filter
 * without coordinates, and `acoupi analyze` needs `--latitude` and `--longitude`.
 */
import { z } from "zod";
import { needsCoordinates } from "../../config/markers.ts";
import { ConfigError } from "../../errors.ts";
import { recordingWeek } from "./birdnet-week.ts";
import type { OnnxRangeModel } from "./range-model.ts";
import { detectionLabel, speciesKey, type DetectionRule, type DroppedDetection } from "./types.ts";

export function rangeFilterRule(model: Pick<OnnxRangeModel, "mask">, threshold: number): DetectionRule {
  const rule = "range_filter";
  return {
    rule,
    async apply(output) {
      if (output.detections.length === 0) return { output, dropped: [] };
      const { latitude, longitude } = output.recording.deployment;
      if (latitude === null || longitude === null) {
        throw new ConfigError("range_filter is on, but the deployment has no coordinates to compute the species range for", {
          key: "range_filter.enabled",
          help: "Start the deployment with `--latitude` and `--longitude` (for `acoupi analyze`, pass them too), or `acoupi config set range_filter.enabled false`",
        });
      }
      const week = recordingWeek(output.recording);
      const mask = await model.mask(latitude, longitude, week);
      const kept = [];
      const dropped: DroppedDetection[] = [];
      for (const detection of output.detections) {
        const label = detectionLabel(detection);
        const score = label === null ? undefined : mask.get(speciesKey(label));
        if (score === undefined || score >= threshold) kept.push(detection);
        else dropped.push({ detection, rule, reason: `range score ${score.toFixed(3)} < ${threshold} at ${latitude}, ${longitude} in week ${week}` });
      }
      return { output: { ...output, detections: kept }, dropped };
    },
  };
}

/** The `range_filter` section of the detection programs. */
export const RangeFilterConfigSchema = z.object({
  enabled: needsCoordinates(z.boolean().default(false).describe("Drop species the range model does not expect at the deployment's place and week")),
  path: z.string().min(1).nullable().default(null).describe("The range model: BirdNET's meta-model (.onnx) or a geomodel with its own labels"),
  labels: z.string().min(1).nullable().default(null).describe("The range model's own labels file (a geomodel); unset: the classifier's model.labels"),
  threshold: z.number().min(0).max(1).default(0.03).describe("Species scoring below this at the place and week are dropped (BirdNET's default 0.03)"),
});
export type RangeFilterConfig = z.output<typeof RangeFilterConfigSchema>;
