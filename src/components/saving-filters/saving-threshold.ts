/**
 * @module savingThreshold: keep a recording when any detection of any model output scores at
 * least the threshold (acoupi's SavingThreshold). With no model outputs it is false.
 */
import type { SavingFilter } from "./types.ts";

export function savingThreshold(threshold: number): SavingFilter {
  return (_recording, modelOutputs) =>
    modelOutputs.some((output) => output.detections.some((detection) => detection.detection_score >= threshold));
}
