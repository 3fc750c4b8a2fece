/**
 * @module savingThreshold: keep a recording when any detection of any model output scores at
 * least the threshold (acoupi's SavingThreshold). With no model outputs it is false.
 */
import { z } from "zod";
import type { SavingFilter } from "./types.ts";

export const SavingThresholdSchema = z.object({
  saving_threshold: z.number().min(0).max(1).default(0.5).describe("Keep recordings with a detection scoring at least this"),
});
export type SavingThresholdConfig = z.output<typeof SavingThresholdSchema>;

export function savingThreshold(threshold: number): SavingFilter {
  return (_recording, modelOutputs) =>
    modelOutputs.some((output) => output.detections.some((detection) => detection.detection_score >= threshold));
}
