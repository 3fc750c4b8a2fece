/**
 * @module A synthetic BatDetect-sized CNN with the worked example's contract (audio [1, 102400]
 * at 256 kHz in, bat_prob [1, 85] out), for timing only (random weights): a spectrogram as a
 * strided Conv1d (128 bins, 1 ms windows, no overlap, squared), three Conv2d 3×3 + ReLU + 2×2
 * MaxPool blocks with 16, 32 and 64 channels on the [128 × 400] spectrogram, the mean over
 * frequency, and a Conv1d head (64 → 1, 16 taps) that leaves 85 frames, then a sigmoid. About
 * 0.29 GFLOPs per 0.4 s window, against the stand-in detector's 0.013 (test/helpers/bat-model.ts),
 * so the bench shows both a compute-bound and an overhead-bound model of the same shape.
 */
import { buildOnnxModel, type Initializer, type NodeSpec } from "../test/helpers/onnx-builder.ts";

const SAMPLES = 102_400;
const BINS = 128;
const HOP = 256;

/** Uniform weights in ±scale (xorshift32, deterministic). */
function weights(count: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

export function batCnnModel(): { bytes: Uint8Array; flops: number; params: number } {
  const frames = SAMPLES / HOP; // 400
  const inits: Initializer[] = [
    { name: "shape_in", dims: [3], data: BigInt64Array.of(1n, 1n, BigInt(SAMPLES)) },
    { name: "w_spec", dims: [BINS, 1, HOP], data: weights(BINS * HOP, 0.06, 1) },
    { name: "shape_2d", dims: [4], data: BigInt64Array.of(1n, 1n, BigInt(BINS), BigInt(frames)) },
    { name: "shape_out", dims: [2], data: BigInt64Array.of(1n, 85n) },
  ];
  const nodes: NodeSpec[] = [
    { op: "Reshape", inputs: ["audio", "shape_in"], outputs: ["x"] },
    { op: "Conv", inputs: ["x", "w_spec"], outputs: ["spec"], attributes: { kernel_shape: [HOP], strides: [HOP] } },
    { op: "Mul", inputs: ["spec", "spec"], outputs: ["power"] },
    { op: "Reshape", inputs: ["power", "shape_2d"], outputs: ["b0"] },
  ];
  let flops = 2 * frames * BINS * HOP;
  let params = BINS * HOP;
  let channels = 1;
  let height = BINS;
  let width = frames;
  [16, 32, 64].forEach((out, i) => {
    const fanIn = channels * 9;
    inits.push({ name: `w${i}`, dims: [out, channels, 3, 3], data: weights(out * fanIn, Math.sqrt(6 / fanIn), i + 2) });
    inits.push({ name: `bias${i}`, dims: [out], data: new Float32Array(out) });
    nodes.push({ op: "Conv", inputs: [`b${i}`, `w${i}`, `bias${i}`], outputs: [`c${i}`], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } });
    nodes.push({ op: "Relu", inputs: [`c${i}`], outputs: [`r${i}`] });
    nodes.push({ op: "MaxPool", inputs: [`r${i}`], outputs: [`b${i + 1}`], attributes: { kernel_shape: [2, 2], strides: [2, 2] } });
    flops += 2 * height * width * out * fanIn;
    params += out * fanIn + out;
    channels = out;
    height /= 2;
    width /= 2;
  });
  // [1, 64, 16, 50] → mean over frequency → [1, 64, 50]; 50 + 2·25 − 16 + 1 = 85 frames.
  const head = 16;
  inits.push({ name: "w_head", dims: [1, channels, head], data: weights(channels * head, Math.sqrt(6 / (channels * head)), 9) });
  nodes.push({ op: "ReduceMean", inputs: ["b3"], outputs: ["pooled"], attributes: { axes: [2], keepdims: 0 } });
  nodes.push({ op: "Conv", inputs: ["pooled", "w_head"], outputs: ["logits"], attributes: { kernel_shape: [head], pads: [25, 25] } });
  nodes.push({ op: "Sigmoid", inputs: ["logits"], outputs: ["probs"] });
  nodes.push({ op: "Reshape", inputs: ["probs", "shape_out"], outputs: ["bat_prob"] });
  flops += 2 * 85 * channels * head;
  params += channels * head;
  const bytes = buildOnnxModel({
    inputs: [{ name: "audio", shape: [1, SAMPLES] }],
    outputs: [{ name: "bat_prob", shape: [1, 85] }],
    nodes,
    initializers: inits,
  });
  return { bytes, flops, params };
}
