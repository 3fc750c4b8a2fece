/**
 * @module ONNX models built by the species-rule tests:
 * - `signedLevelModel`: [1, samples] → [1, 4]; from a window's mean |x| (level) and mean x (dc),
 *   scores = level·a + dc·b per label, so a positive constant window scores only the last label
 *   and a negative one only the first three (in the ratios of `weights`);
 * - `geoModel`: BirdNET's geomodel shape, [batch, 3] (latitude, longitude, week) → [batch, L],
 *   sigmoid(lat·wLat + week·wWeek + bias) per label, so a species' score rises with latitude and
 *   week as the test chooses;
 * - `birdnetClassifier`: BirdNET v2.4's shapes, [1, 144000] → [1, labels], logits = mean|x| + bias
 *   (the preset's sigmoid turns them into scores), so the labels with a positive bias are detected
 *   in every window of a sound.
 */
import { buildOnnxModel } from "./onnx-builder.ts";

export function signedLevelModel(samples: number, weights: readonly [number, number, number]): Uint8Array {
  const [a, b, c] = weights;
  return buildOnnxModel({
    inputs: [{ name: "audio", shape: [1, samples] }],
    outputs: [{ name: "scores", shape: [1, 4] }],
    nodes: [
      { op: "Abs", inputs: ["audio"], outputs: ["abs"] },
      { op: "ReduceMean", inputs: ["abs"], outputs: ["level"], attributes: { axes: [1], keepdims: 1 } },
      { op: "ReduceMean", inputs: ["audio"], outputs: ["dc"], attributes: { axes: [1], keepdims: 1 } },
      { op: "Concat", inputs: ["level", "dc"], outputs: ["features"], attributes: { axis: 1 } },
      { op: "MatMul", inputs: ["features", "w"], outputs: ["scores"] },
    ],
    // level·[a, b, c, 1]/2 + dc·[−a, −b, −c, 1]/2: a window of constant v > 0 scores [0, 0, 0, v], of −v [av, bv, cv, 0].
    initializers: [{ name: "w", dims: [2, 4], data: Float32Array.from([a / 2, b / 2, c / 2, 0.5, -a / 2, -b / 2, -c / 2, 0.5]) }],
  });
}

export interface GeoSpecies {
  lat: number;
  week: number;
  bias: number;
}

export function geoModel(species: readonly GeoSpecies[]): Uint8Array {
  const n = species.length;
  // Rows: latitude, longitude, week.
  const w = new Float32Array(3 * n);
  species.forEach((s, i) => {
    w[i] = s.lat;
    w[2 * n + i] = s.week;
  });
  return buildOnnxModel({
    inputs: [{ name: "location", shape: ["batch", 3] }],
    outputs: [{ name: "probabilities", shape: ["batch", n] }],
    nodes: [
      { op: "MatMul", inputs: ["location", "w"], outputs: ["logits0"] },
      { op: "Add", inputs: ["logits0", "bias"], outputs: ["logits"] },
      { op: "Sigmoid", inputs: ["logits"], outputs: ["probabilities"] },
    ],
    initializers: [
      { name: "w", dims: [3, n], data: w },
      { name: "bias", dims: [1, n], data: Float32Array.from(species.map((s) => s.bias)) },
    ],
  });
}

export function birdnetClassifier(biases: Float32Array): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: "INPUT", shape: [1, 144000] }],
    outputs: [{ name: "SCORES", shape: [1, biases.length] }],
    nodes: [
      { op: "Abs", inputs: ["INPUT"], outputs: ["abs"] },
      { op: "ReduceMean", inputs: ["abs"], outputs: ["level"], attributes: { axes: [1], keepdims: 1 } },
      { op: "Add", inputs: ["level", "bias"], outputs: ["SCORES"] },
    ],
    initializers: [{ name: "bias", dims: [1, biases.length], data: biases }],
  });
}
