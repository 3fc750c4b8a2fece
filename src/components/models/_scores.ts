/**
 * @module Turning one window's raw model outputs into presence detections: the configured
 * activation (none, sigmoid, softmax), then one Detection per label whose score reaches the
 * threshold, located over the window and the recording's full band. The sigmoid is BirdNET's:
 * `1 / (1 + exp(−s · clip(x, −15, 15)))` with the sensitivity s (1 by default). Labels of the
 * form `Genus species_Common Name` can be split into a species tag and a common_name tag.
 */
import { boundingBox, type Detection } from "../../data/index.ts";
import { COMMON_NAME_KEY, parseSpeciesLabel } from "../../data/species-label.ts";

export type Activation = "none" | "sigmoid" | "softmax";

/** BirdNET clips logits to ±15 before its sigmoid. */
export const LOGIT_CLIP = 15;

/** BirdNET-Analyzer's score of a logit at a sensitivity (0.5–1.5). */
export function sensitiveSigmoid(x: number, sensitivity = 1): number {
  return 1 / (1 + Math.exp(-sensitivity * Math.min(LOGIT_CLIP, Math.max(-LOGIT_CLIP, x))));
}

/** Applies the activation to `row` in place and clamps it into [0, 1]. */
export function activate(row: Float32Array, activation: Activation, sensitivity = 1): Float32Array {
  if (activation === "sigmoid") {
    for (let i = 0; i < row.length; i++) row[i] = sensitiveSigmoid(row[i] as number, sensitivity);
  } else if (activation === "softmax") {
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (let i = 0; i < row.length; i++) {
      const e = Math.exp((row[i] as number) - max);
      row[i] = e;
      sum += e;
    }
    for (let i = 0; i < row.length; i++) row[i] = (row[i] as number) / sum;
  }
  // With "none" the model is trusted to output probabilities; rounding can still step outside.
  for (let i = 0; i < row.length; i++) row[i] = Math.min(1, Math.max(0, Number.isNaN(row[i]) ? 0 : (row[i] as number)));
  return row;
}

export interface WindowPlace {
  /** Start and end of the window, in seconds from the start of the recording. */
  start: number;
  end: number;
  /** Upper frequency of the box: the recording's Nyquist frequency. */
  highFreq: number;
}

/** One presence detection per label scoring at least `threshold`, in label order. */
export function presenceDetections(
  scores: Float32Array,
  labels: readonly string[],
  threshold: number,
  tagKey: string,
  place: WindowPlace,
): Detection[] {
  const detections: Detection[] = [];
  for (let i = 0; i < labels.length; i++) {
    const score = scores[i] as number;
    if (score < threshold) continue;
    detections.push({
      id: crypto.randomUUID(),
      prediction_type: "presence",
      location: boundingBox(place.start, 0, place.end, place.highFreq),
      detection_score: score,
      tags: [{ tag: { key: tagKey, value: labels[i] as string }, confidence_score: score }],
    });
  }
  return detections;
}

/**
 * A detection whose `tagKey` tags hold `Genus species_Common Name` labels, with each split into
 * the scientific name (same key) and a `common_name` tag with the same confidence, right after it.
 */
export function splitSpeciesTags(detection: Detection, tagKey: string): Detection {
  const tags = detection.tags.flatMap((t) => {
    if (t.tag.key !== tagKey) return [t];
    const { scientific, common } = parseSpeciesLabel(t.tag.value);
    const species = { tag: { key: tagKey, value: scientific }, confidence_score: t.confidence_score };
    return common === null ? [species] : [species, { tag: { key: COMMON_NAME_KEY, value: common }, confidence_score: t.confidence_score }];
  });
  return { ...detection, tags };
}
