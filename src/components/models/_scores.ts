/**
 * @module Turning one window's raw model outputs into presence detections: the configured
 * activation (none, sigmoid, softmax), then one Detection per label whose score reaches the
 * threshold, located over the window and the recording's full band.
 */
import { boundingBox, type Detection } from "../../data/index.ts";

export type Activation = "none" | "sigmoid" | "softmax";

/** Applies the activation to `row` in place and clamps it into [0, 1]. */
export function activate(row: Float32Array, activation: Activation): Float32Array {
  if (activation === "sigmoid") {
    for (let i = 0; i < row.length; i++) row[i] = 1 / (1 + Math.exp(-(row[i] as number)));
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
