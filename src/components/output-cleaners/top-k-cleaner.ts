/**
 * @module topKCleaner: keeps the k best-scoring detections of each window, so a 6000-label
 * classifier reports its few likeliest species per window rather than a long tail. A window is
 * a detection's location (detections without a location form one group). The kept detections
 * stay in their original order; ties keep the earlier detection.
 */
import type { Detection, ModelOutput } from "../../data/index.ts";
import type { OutputCleaner } from "./types.ts";

function windowKey(d: Detection): string {
  return d.location === null ? "none" : d.location.coordinates.join(",");
}

export function topKCleaner(k: number): OutputCleaner {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`topKCleaner needs a whole k of at least 1, got ${k}`);
  return (output: ModelOutput): ModelOutput => {
    const groups = new Map<string, number[]>();
    output.detections.forEach((d, i) => {
      const key = windowKey(d);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    const kept = new Set<number>();
    for (const indices of groups.values()) {
      const ranked = [...indices].sort((a, b) => (output.detections[b]?.detection_score ?? 0) - (output.detections[a]?.detection_score ?? 0) || a - b);
      for (const i of ranked.slice(0, k)) kept.add(i);
    }
    return { ...output, detections: output.detections.filter((_, i) => kept.has(i)) };
  };
}
