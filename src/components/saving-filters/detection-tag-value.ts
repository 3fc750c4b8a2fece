/**
 * @module detectionTagValue: keep a recording when any detection carries a tag whose value is
 * one of `values`, whatever its score (acoupi's DetectionTagValue).
 */
import { z } from "zod";
import type { SavingFilter } from "./types.ts";

export const DetectionTagValueSchema = z.object({
  values: z.array(z.string()).default([]).describe("Tag values (e.g. species names) whose detections keep a recording"),
});
export type DetectionTagValueConfig = z.output<typeof DetectionTagValueSchema>;

export function detectionTagValue(values: readonly string[]): SavingFilter {
  const wanted = new Set(values);
  return (_recording, modelOutputs) =>
    modelOutputs.some((output) =>
      output.detections.some((detection) => detection.tags.some((predicted) => wanted.has(predicted.tag.value))),
    );
}
