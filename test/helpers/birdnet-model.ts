/**
 * @module A stand-in for the published ONNX conversions of BirdNET v2.4 with exactly their I/O:
 * input `INPUT` float32 [batch, 144000] (3 s at 48 kHz, the batch dimension dynamic), output
 * float32 [batch, 6522] logits (no sigmoid inside: the caller applies it). The graph is
 * `logit_i = a_i · mean|x| + b_i` per window, so a test knows every logit from the audio. Three
 * labels are set up to score (see LOGITS); the other 6519 sit at -20. The labels file uses
 * BirdNET's `Genus species_Common Name` form.
 */
import { buildOnnxModel } from "./onnx-builder.ts";

export const BIRDNET_IO = { samplerate: 48_000, samples: 144_000, labels: 6522, input: "INPUT", output: "SCORES" } as const;

/** [label, a, b]: Blackbird near 0, Robin beyond the clip at 15, Owl low. */
export const LOGITS: ReadonlyArray<readonly [string, number, number]> = [
  ["Turdus merula_Eurasian Blackbird", 20, -6],
  ["Erithacus rubecula_European Robin", 100, 0],
  ["Strix aluco_Tawny Owl", 0, -3],
];

export function birdnetModel(): Uint8Array {
  const a = new Float32Array(BIRDNET_IO.labels);
  const b = new Float32Array(BIRDNET_IO.labels).fill(-20);
  LOGITS.forEach(([, slope, offset], i) => {
    a[i] = slope;
    b[i] = offset;
  });
  return buildOnnxModel({
    inputs: [{ name: BIRDNET_IO.input, shape: ["batch", BIRDNET_IO.samples] }],
    outputs: [{ name: BIRDNET_IO.output, shape: ["batch", BIRDNET_IO.labels] }],
    nodes: [
      { op: "Abs", inputs: [BIRDNET_IO.input], outputs: ["abs"] },
      { op: "ReduceMean", inputs: ["abs"], outputs: ["level"], attributes: { axes: [1], keepdims: 1 } },
      { op: "Mul", inputs: ["level", "a"], outputs: ["scaled"] },
      { op: "Add", inputs: ["scaled", "b"], outputs: [BIRDNET_IO.output] },
    ],
    initializers: [
      { name: "a", dims: [1, BIRDNET_IO.labels], data: a },
      { name: "b", dims: [1, BIRDNET_IO.labels], data: b },
    ],
  });
}

/** The labels file: LOGITS' labels first, then `Genus{i} species{i}_Common {i}`. */
export function birdnetLabels(): string {
  return Array.from({ length: BIRDNET_IO.labels }, (_, i) => LOGITS[i]?.[0] ?? `Genus${i} species${i}_Common ${i}`).join("\n") + "\n";
}

/** The logit of label `i` for a window whose mean |x| is `level`. */
export function logit(i: number, level: number): number {
  const row = LOGITS[i];
  return row === undefined ? -20 : row[1] * level + row[2];
}

/** A sine at 1 kHz of the given amplitude, `seconds` long at 48 kHz (mean |x| = 2A/π over whole periods). */
export function sine(seconds: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * BIRDNET_IO.samplerate) }, (_, i) => amplitude * Math.sin((2 * Math.PI * 1000 * i) / BIRDNET_IO.samplerate));
}
