/**
 * @module thresholdCleaner: acoupi's ThresholdDetectionCleaner. It keeps the detections scoring
 * at least the threshold and, inside each, the tags whose confidence reaches it (a detection
 * may keep an empty tag list). Unlike acoupi it keeps the output's id and created_on, so stored
 * outputs and the messages built from them share one id.
 */
import { z } from "zod";
import type { ModelOutput } from "../../data/index.ts";
import type { OutputCleaner } from "./types.ts";

/** The program's `detections` section (acoupi's DetectionsConfiguration). */
export const DetectionsConfigSchema = z.object({
  threshold: z.number().min(0).max(1).default(0.2).describe("Detections and tags scoring below this are dropped before storing"),
});
export type DetectionsConfig = z.output<typeof DetectionsConfigSchema>;

export function thresholdCleaner(threshold: number): OutputCleaner {
  return (output: ModelOutput): ModelOutput => ({
    ...output,
    detections: output.detections
      .filter((d) => d.detection_score >= threshold)
      .map((d) => ({ ...d, tags: d.tags.filter((t) => t.confidence_score >= threshold) })),
  });
}
