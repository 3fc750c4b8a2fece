/**
 * @module Benchmark: onnxruntime-web WASM (one thread, as the runner uses it) against native
 * onnxruntime-node (one intra-op thread) on a synthetic BirdNET-shaped model: float32 [1, 144000]
 * (3 s at 48 kHz) in, [1, 6522] sigmoid scores out, a strided conv stack + classifier with about
 * 10.6 M random weights (~42 MB) and ~0.84 GFLOPs per window. Each half runs in its own child
 * process so that the RSS after loading is that runtime's alone. It prints the real-time factor
 * (inference time / audio time; lower is better) of each and the WASM/native ratio, and asserts
 * nothing. Run: `./node_modules/.bin/bun bench/inference.ts [--runs 5]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildOnnxModel, type Initializer, type NodeSpec } from "../test/helpers/onnx-builder.ts";

const SAMPLES = 144_000;
const RATE = 48_000;
const CLASSES = 6522;
const AUDIO_SECONDS = SAMPLES / RATE;

interface ConvLayer {
  out: number;
  kernel: number;
  stride: number;
}
const CONVS: ConvLayer[] = [
  { out: 64, kernel: 512, stride: 256 },
  { out: 128, kernel: 3, stride: 1 },
  { out: 256, kernel: 3, stride: 2 },
  { out: 512, kernel: 3, stride: 2 },
  { out: 512, kernel: 3, stride: 1 },
  { out: 1024, kernel: 3, stride: 2 },
  { out: 1024, kernel: 1, stride: 1 },
];

/** A fast deterministic generator (xorshift32) of uniform weights in ±scale. */
function randomWeights(count: number, scale: number, seed: number): Float32Array {
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

function birdnetShapedModel(): { bytes: Uint8Array; params: number; flops: number } {
  const nodes: NodeSpec[] = [{ op: "Reshape", inputs: ["audio", "shape3d"], outputs: ["x0"] }];
  const inits: Initializer[] = [{ name: "shape3d", dims: [3], data: BigInt64Array.of(1n, 1n, BigInt(SAMPLES)) }];
  let channels = 1;
  let length = SAMPLES;
  let params = 0;
  let flops = 0;
  CONVS.forEach((c, i) => {
    const pad = c.kernel === 512 ? 256 : Math.floor(c.kernel / 2);
    const outLength = Math.floor((length + 2 * pad - c.kernel) / c.stride) + 1;
    const fanIn = channels * c.kernel;
    inits.push({ name: `w${i}`, dims: [c.out, channels, c.kernel], data: randomWeights(c.out * fanIn, Math.sqrt(6 / fanIn), i + 1) });
    inits.push({ name: `b${i}`, dims: [c.out], data: new Float32Array(c.out) });
    nodes.push({
      op: "Conv",
      inputs: [`x${i}`, `w${i}`, `b${i}`],
      outputs: [`c${i}`],
      attributes: { kernel_shape: [c.kernel], strides: [c.stride], pads: [pad, pad] },
    });
    nodes.push({ op: "Relu", inputs: [`c${i}`], outputs: [`x${i + 1}`] });
    params += c.out * fanIn + c.out;
    flops += 2 * outLength * c.out * fanIn;
    channels = c.out;
    length = outLength;
  });
  const last = `x${CONVS.length}`;
  nodes.push({ op: "GlobalAveragePool", inputs: [last], outputs: ["pooled"] });
  nodes.push({ op: "Flatten", inputs: ["pooled"], outputs: ["embedding"], attributes: { axis: 1 } });
  inits.push({ name: "wc", dims: [channels, CLASSES], data: randomWeights(channels * CLASSES, Math.sqrt(6 / channels), 99) });
  inits.push({ name: "bc", dims: [CLASSES], data: new Float32Array(CLASSES).fill(-4) });
  nodes.push({ op: "Gemm", inputs: ["embedding", "wc", "bc"], outputs: ["logits"] });
  nodes.push({ op: "Sigmoid", inputs: ["logits"], outputs: ["scores"] });
  params += channels * CLASSES + CLASSES;
  flops += 2 * channels * CLASSES;
  const bytes = buildOnnxModel({
    inputs: [{ name: "audio", shape: [1, SAMPLES] }],
    outputs: [{ name: "scores", shape: [1, CLASSES] }],
    nodes,
    initializers: inits,
  });
  return { bytes, params, flops };
}

interface HalfResult {
  runtime: string;
  createMs: number;
  rssAfterLoadMb: number;
  rssAfterRunsMb: number;
  runMs: number[];
  endToEnd?: { seconds: number; ms: number; detections: number };
}

function testAudio(): Float32Array {
  return randomWeights(SAMPLES, 0.3, 7);
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);

async function wasmHalf(modelPath: string, runs: number, dir: string): Promise<HalfResult> {
  const { loadOrt } = await import("../src/components/models/_ort-runtime.ts");
  const t0 = performance.now();
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(await Bun.file(modelPath).bytes(), { graphOptimizationLevel: "all" });
  const createMs = performance.now() - t0;
  const rssAfterLoadMb = rssMb();
  const input = new ort.Tensor("float32", testAudio(), [1, SAMPLES]);
  await session.run({ audio: input });
  const runMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run({ audio: input });
    runMs.push(performance.now() - t);
  }
  await session.release();
  // End to end through OnnxModel: read a 9 s 48 kHz WAV, cut 3 windows, build detections.
  const { OnnxModel, ModelConfigSchema } = await import("../src/components/models/onnx-model.ts");
  const { wavBytes, recordingFor } = await import("../test/components/models/_fixtures.ts");
  const seconds = 9;
  const wav = join(dir, "nine-seconds.wav");
  await Bun.write(wav, wavBytes([randomWeights(RATE * seconds, 0.3, 11)], RATE, "int16"));
  const labels = Array.from({ length: CLASSES }, (_, i) => `Species ${i}`);
  const model = new OnnxModel(ModelConfigSchema.parse({ path: modelPath, labels, samplerate: RATE, window: 3 }), { threshold: 0.5 });
  await model.check();
  const t = performance.now();
  const output = await model.run(recordingFor(wav, RATE, seconds));
  const endToEnd = { seconds, ms: performance.now() - t, detections: output.detections.length };
  await model.close();
  return { runtime: "onnxruntime-web WASM, 1 thread", createMs, rssAfterLoadMb, rssAfterRunsMb: rssMb(), runMs, endToEnd };
}

async function nativeHalf(modelPath: string, runs: number): Promise<HalfResult> {
  const ort = await import("onnxruntime-node");
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const createMs = performance.now() - t0;
  const rssAfterLoadMb = rssMb();
  const input = new ort.Tensor("float32", testAudio(), [1, SAMPLES]);
  await session.run({ audio: input });
  const runMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run({ audio: input });
    runMs.push(performance.now() - t);
  }
  await session.release();
  return { runtime: "onnxruntime-node native, 1 thread", createMs, rssAfterLoadMb, rssAfterRunsMb: rssMb(), runMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function child(half: string): Promise<void> {
  const modelPath = argument("--model") ?? "";
  const runs = Number(argument("--runs") ?? 5);
  const dir = argument("--dir") ?? tmpdir();
  const result = half === "wasm" ? await wasmHalf(modelPath, runs, dir) : await nativeHalf(modelPath, runs);
  console.log(JSON.stringify(result));
}

function runChild(half: string, modelPath: string, runs: number, dir: string): HalfResult {
  const args = [process.execPath, import.meta.path, "--half", half, "--model", modelPath, "--runs", String(runs), "--dir", dir];
  const proc = Bun.spawnSync(args, { stderr: "pipe", env: { ...process.env, ACOUPI_LOG_LEVEL: "warn" } });
  const lastLine = proc.stdout.toString().trim().split("\n").at(-1) ?? "";
  if (proc.exitCode !== 0 || !lastLine.startsWith("{")) {
    throw new Error(`The ${half} half failed (exit ${proc.exitCode}): ${proc.stderr.toString()}`);
  }
  return JSON.parse(lastLine) as HalfResult;
}

async function main(): Promise<void> {
  const runs = Number(argument("--runs") ?? 5);
  const dir = mkdtempSync(join(tmpdir(), "acoupi-bench-"));
  try {
    const t0 = performance.now();
    const { bytes, params, flops } = birdnetShapedModel();
    const modelPath = join(dir, "birdnet-shaped.onnx");
    await Bun.write(modelPath, bytes);
    const genMs = performance.now() - t0;
    console.log(`Synthetic BirdNET-shaped model: [1, ${SAMPLES}] -> [1, ${CLASSES}], ${(params / 1e6).toFixed(2)} M weights,`);
    console.log(`  ${(bytes.length / 1e6).toFixed(1)} MB file, ${(flops / 1e9).toFixed(2)} GFLOPs per 3 s window, generated in ${genMs.toFixed(0)} ms`);
    console.log(`  ${runs} timed runs after one warm-up; bun ${Bun.version}, ${navigator.hardwareConcurrency} CPUs\n`);
    const wasm = runChild("wasm", modelPath, runs, dir);
    const native = runChild("native", modelPath, runs, dir);
    const rows = [wasm, native].map((r) => {
      const ms = median(r.runMs);
      return { r, ms, rtf: ms / 1000 / AUDIO_SECONDS };
    });
    console.log("runtime                              session   median run   RTF      RSS after load   RSS after runs");
    for (const { r, ms, rtf } of rows) {
      console.log(
        `${r.runtime.padEnd(36)} ${`${r.createMs.toFixed(0)} ms`.padStart(8)}   ${`${ms.toFixed(1)} ms`.padStart(10)}   ${rtf.toFixed(4)}   ${`${r.rssAfterLoadMb} MB`.padStart(14)}   ${`${r.rssAfterRunsMb} MB`.padStart(14)}`,
      );
    }
    const ratio = (rows[0]?.ms ?? NaN) / (rows[1]?.ms ?? NaN);
    console.log(`\nWASM / native time ratio: ${ratio.toFixed(2)}x (goal <= 2x: ${ratio <= 2 ? "met" : "not met"})`);
    if (wasm.endToEnd) {
      const e = wasm.endToEnd;
      console.log(
        `OnnxModel.run end to end (read ${e.seconds} s 48 kHz WAV, 3 windows, ${CLASSES} labels): ${e.ms.toFixed(0)} ms, RTF ${(e.ms / 1000 / e.seconds).toFixed(4)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const half = argument("--half");
if (half === undefined) await main();
else await child(half);
