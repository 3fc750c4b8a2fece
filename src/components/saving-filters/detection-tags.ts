/**
 * @module detectionTags: keep a recording when a detection scoring at least `saving_threshold`
 * carries one of `tags` (key and value equal) with a confidence of at least the same threshold
 * (acoupi's DetectionTags).
 */
import { type Tag } from "../../data/index.ts";
import type { SavingFilter } from "./types.ts";

export function detectionTags(config: { tags: readonly Tag[]; saving_threshold?: number }): SavingFilter {
  const threshold = config.saving_threshold ?? 0.5;
  const wanted = new Set(config.tags.map((tag) => JSON.stringify([tag.key, tag.value])));
  return (_recording, modelOutputs) =>
    modelOutputs.some((output) =>
      output.detections.some(
        (detection) =>
          detection.detection_score >= threshold &&
          detection.tags.some(
            (predicted) => predicted.confidence_score >= threshold && wanted.has(JSON.stringify([predicted.tag.key, predicted.tag.value])),
          ),
      ),
    );
}
