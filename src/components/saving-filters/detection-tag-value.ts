/**
 * @module detectionTagValue: keep a recording when any detection carries a tag whose value is
 * one of `values`, whatever its score (acoupi's DetectionTagValue).
 */
import type { SavingFilter } from "./types.ts";

export function detectionTagValue(values: readonly string[]): SavingFilter {
  const wanted = new Set(values);
  return (_recording, modelOutputs) =>
    modelOutputs.some((output) =>
      output.detections.some((detection) => detection.tags.some((predicted) => wanted.has(predicted.tag.value))),
    );
}
