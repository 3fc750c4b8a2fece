/**
 * @module Benchmark: onnxruntime-web WASM against native onnxruntime-node on a synthetic
 * BirdNET-shaped model: float32 [1, 144000] (3 s at 48 kHz) in, [1, 6522] sigmoid scores out, a
 * strided conv stack + classifier with about 10.6 M random weights (~42 MB) and ~0.84 GFLOPs per
 * window. Each variant runs in its own child process so that its memory is its own:
 *   - native onnxruntime-node with 1 intra-op thread (and with THREADS, when the machine has them),
 *     the same graph optimisation level ("all") and the same input;
 *   - WASM the old way (the model handed to ORT as one buffer, prepacking on), under `bun run`;
 *   - WASM through openSession (weights as external data, no prepacking, buffers freed), under
 *     `bun run` and as a binary compiled with build.ts's flags (what ships), 1 and THREADS threads;
 *   - the same weights quantized to uint8 (ConvInteger/MatMulInteger), native and compiled WASM, with
 *     the max |Δ| of their scores against float native.
 * It prints session creation time, the median run and real-time factor (lower is better), RSS
 * right after loading, RSS settled (after the runs, a GC and 2 s), and the peak (VmHWM), then the
 * WASM/native ratios. It asserts nothing. Run: `./node_modules/.bin/bun bench/inference.ts [--runs 10]`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

/** Per-tensor asymmetric uint8 quantization, as onnxruntime's quantize_dynamic does for weights. */
function quantizeUint8(w: Float32Array): { q: Uint8Array; scale: number; zero: number } {
  let min = 0;
  let max = 0;
  for (const v of w) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = (max - min) / 255 || 1;
  const zero = Math.round(-min / scale);
  const q = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(0, Math.min(255, Math.round((w[i] as number) / scale) + zero));
  return { q, scale, zero };
}

/**
 * The BirdNET-shaped graph; `int8` gives its dynamically quantized twin (same random weights,
 * stored as uint8 with a scale and zero point; activations quantized at run time with
 * DynamicQuantizeLinear, then ConvInteger/MatMulInteger, as onnxruntime's quantize_dynamic emits).
 */
export function birdnetShapedModel(int8 = false): { bytes: Uint8Array; params: number; flops: number } {
  const nodes: NodeSpec[] = [{ op: "Reshape", inputs: ["audio", "shape3d"], outputs: ["x0"] }];
  const inits: Initializer[] = [{ name: "shape3d", dims: [3], data: BigInt64Array.of(1n, 1n, BigInt(SAMPLES)) }];
  let channels = 1;
  let length = SAMPLES;
  let params = 0;
  let flops = 0;
  /** Nodes for y = x·W (+ bias via `add`) in integer arithmetic; returns the float output name. */
  const integerOp = (op: "ConvInteger" | "MatMulInteger", x: string, w: Float32Array, dims: number[], id: string, attributes: NodeSpec["attributes"]) => {
    const { q, scale, zero } = quantizeUint8(w);
    inits.push({ name: `${id}_wq`, dims, data: q }, { name: `${id}_wz`, dims: [], data: Uint8Array.of(zero) }, { name: `${id}_ws`, dims: [], data: Float32Array.of(scale) });
    nodes.push({ op: "DynamicQuantizeLinear", inputs: [x], outputs: [`${id}_xq`, `${id}_xs`, `${id}_xz`] });
    nodes.push({ op, inputs: [`${id}_xq`, `${id}_wq`, `${id}_xz`, `${id}_wz`], outputs: [`${id}_i32`], ...(attributes ? { attributes } : {}) });
    nodes.push({ op: "Cast", inputs: [`${id}_i32`], outputs: [`${id}_f`], attributes: { to: 1 } });
    nodes.push({ op: "Mul", inputs: [`${id}_xs`, `${id}_ws`], outputs: [`${id}_s`] });
    nodes.push({ op: "Mul", inputs: [`${id}_f`, `${id}_s`], outputs: [`${id}_y`] });
    return `${id}_y`;
  };
  CONVS.forEach((c, i) => {
    const pad = c.kernel === 512 ? 256 : Math.floor(c.kernel / 2);
    const outLength = Math.floor((length + 2 * pad - c.kernel) / c.stride) + 1;
    const fanIn = channels * c.kernel;
    const w = randomWeights(c.out * fanIn, Math.sqrt(6 / fanIn), i + 1);
    const attributes = { kernel_shape: [c.kernel], strides: [c.stride], pads: [pad, pad] };
    if (int8) {
      const y = integerOp("ConvInteger", `x${i}`, w, [c.out, channels, c.kernel], `conv${i}`, attributes);
      inits.push({ name: `b${i}`, dims: [1, c.out, 1], data: new Float32Array(c.out) });
      nodes.push({ op: "Add", inputs: [y, `b${i}`], outputs: [`c${i}`] });
    } else {
      inits.push({ name: `w${i}`, dims: [c.out, channels, c.kernel], data: w });
      inits.push({ name: `b${i}`, dims: [c.out], data: new Float32Array(c.out) });
      nodes.push({ op: "Conv", inputs: [`x${i}`, `w${i}`, `b${i}`], outputs: [`c${i}`], attributes });
    }
    nodes.push({ op: "Relu", inputs: [`c${i}`], outputs: [`x${i + 1}`] });
    params += c.out * fanIn + c.out;
    flops += 2 * outLength * c.out * fanIn;
    channels = c.out;
    length = outLength;
  });
  const last = `x${CONVS.length}`;
  nodes.push({ op: "GlobalAveragePool", inputs: [last], outputs: ["pooled"] });
  nodes.push({ op: "Flatten", inputs: ["pooled"], outputs: ["embedding"], attributes: { axis: 1 } });
  const wc = randomWeights(channels * CLASSES, Math.sqrt(6 / channels), 99);
  inits.push({ name: "bc", dims: [CLASSES], data: new Float32Array(CLASSES).fill(-4) });
  if (int8) {
    const y = integerOp("MatMulInteger", "embedding", wc, [channels, CLASSES], "fc", undefined);
    nodes.push({ op: "Add", inputs: [y, "bc"], outputs: ["logits"] });
  } else {
    inits.push({ name: "wc", dims: [channels, CLASSES], data: wc });
    nodes.push({ op: "Gemm", inputs: ["embedding", "wc", "bc"], outputs: ["logits"] });
  }
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

export interface Result {
  label: string;
  createMs: number;
  runMs: number[];
  rssLoadMb: number;
  rssSettledMb: number;
  peakMb: number;
  threads: number;
  endToEnd?: { seconds: number; ms: number; detections: number };
}

interface Timing {
  createMs: number;
  runMs: number[];
  rssLoadMb: number;
}

const THREADS = Math.min(4, navigator.hardwareConcurrency);
const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
const peakMb = () => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN) / 1000);

function testAudio(): Float32Array {
  return randomWeights(SAMPLES, 0.3, 7);
}

interface AnySession {
  run(feeds: Record<string, unknown>): Promise<unknown>;
  release(): Promise<void>;
}

/** Times one warm-up and `runs` timed runs of `session` on the test audio. */
async function timeRuns(session: AnySession, input: unknown, runs: number): Promise<number[]> {
  await session.run({ audio: input });
  const runMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run({ audio: input });
    runMs.push(performance.now() - t);
  }
  await session.release();
  return runMs;
}

async function settledRss(): Promise<number> {
  Bun.gc(true);
  await Bun.sleep(2000);
  Bun.gc(true);
  return rssMb();
}

/** Loads a session the `kind` way, then times it. */
async function timeSession(kind: string, modelPath: string, runs: number, threads: number): Promise<Timing> {
  const t0 = performance.now();
  let opened: { session: AnySession; input: unknown };
  if (kind === "native") {
    const ort = await import("onnxruntime-node");
    const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" } as const;
    opened = { session: await ort.InferenceSession.create(modelPath, options), input: new ort.Tensor("float32", testAudio(), [1, SAMPLES]) };
  } else if (kind === "wasm-whole") {
    // The old loader: ORT parses the whole file from one buffer, with its default prepacking.
    const { loadOrt } = await import("../src/components/models/_ort-runtime.ts");
    const ort = await loadOrt(1);
    const session = await ort.InferenceSession.create(await Bun.file(modelPath).bytes(), { graphOptimizationLevel: "all" });
    opened = { session, input: new ort.Tensor("float32", testAudio(), [1, SAMPLES]) };
  } else {
    // What OnnxModel does.
    const { openSession } = await import("../src/components/models/_onnx-session.ts");
    const { ort, session } = await openSession(modelPath, "model.path", { threads });
    opened = { session, input: new ort.Tensor("float32", testAudio(), [1, SAMPLES]) };
  }
  const createMs = performance.now() - t0;
  const rssLoadMb = rssMb();
  const dump = argument("--dump");
  if (dump !== undefined) {
    // One run's scores, for the accuracy of a quantized model against the float one.
    const outputs = (await opened.session.run({ audio: opened.input })) as Record<string, { data: Float32Array }>;
    await Bun.write(dump, Object.values(outputs)[0]?.data ?? new Float32Array());
  }
  return { createMs, rssLoadMb, runMs: await timeRuns(opened.session, opened.input, runs) };
}

/** OnnxModel.run end to end: read a 9 s 48 kHz WAV, cut 3 windows, build detections. */
async function endToEnd(modelPath: string, dir: string): Promise<Result["endToEnd"]> {
  const { OnnxModel, ModelConfigSchema } = await import("../src/components/models/onnx-model.ts");
  const { wavBytes, recordingFor } = await import("../test/helpers/model-fixtures.ts");
  const seconds = 9;
  const wav = join(dir, "nine-seconds.wav");
  await Bun.write(wav, wavBytes([randomWeights(RATE * seconds, 0.3, 11)], RATE, "int16"));
  const labels = Array.from({ length: CLASSES }, (_, i) => `Species ${i}`);
  const model = new OnnxModel(ModelConfigSchema.parse({ path: modelPath, labels, samplerate: RATE, window: 3 }), { threshold: 0.5 });
  await model.check();
  const t = performance.now();
  const output = await model.run(recordingFor(wav, RATE, seconds));
  const ms = performance.now() - t;
  await model.close();
  return { seconds, ms, detections: output.detections.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The value after the last `name` in argv, so that an option given again overrides the common one. */
function argument(name: string): string | undefined {
  const i = process.argv.lastIndexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function child(half: string): Promise<void> {
  const modelPath = argument("--model") ?? "";
  const runs = Number(argument("--runs") ?? 10);
  const threads = Number(argument("--threads") ?? 1);
  const label = argument("--label") ?? half;
  const timing = await timeSession(half, modelPath, runs, threads);
  const rssSettledMb = await settledRss();
  const result: Result = { label, threads, ...timing, rssSettledMb, peakMb: peakMb() };
  if (argument("--end-to-end") !== undefined) result.endToEnd = await endToEnd(modelPath, argument("--dir") ?? tmpdir());
  console.log(JSON.stringify(result));
  process.exit(0);
}

export function runChild(command: string[], args: string[]): Result {
  const proc = Bun.spawnSync([...command, ...args], { stderr: "pipe", env: { ...process.env, ACOUPI_LOG_LEVEL: "warn" } });
  const lastLine = proc.stdout.toString().trim().split("\n").at(-1) ?? "";
  if (proc.exitCode !== 0 || !lastLine.startsWith("{")) {
    throw new Error(`${args.join(" ")} failed (exit ${proc.exitCode}): ${proc.stderr.toString()}`);
  }
  return JSON.parse(lastLine) as Result;
}

/** This script compiled with build.ts's flags, so that the WASM variants also run as shipped. */
export function compileSelf(dir: string): string {
  const outfile = join(dir, "inference-bench");
  const flags = ["--compile", "--bytecode", "--format=esm", "--minify-syntax", "--minify-whitespace"];
  const proc = Bun.spawnSync([process.execPath, "build", ...flags, "--outfile", outfile, import.meta.path], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`Compiling the bench failed: ${proc.stderr.toString()}`);
  return outfile;
}

function row(r: Result, base: Result | undefined): string {
  const ms = median(r.runMs);
  const ratio = base === undefined ? "" : `${(ms / median(base.runMs)).toFixed(2)}x / ${(r.rssSettledMb / base.rssSettledMb).toFixed(2)}x`;
  const cells = [
    r.label.padEnd(46),
    `${r.createMs.toFixed(0)} ms`.padStart(8),
    `${ms.toFixed(1)} ms`.padStart(9),
    (ms / 1000 / AUDIO_SECONDS).toFixed(4).padStart(7),
    `${r.rssLoadMb} MB`.padStart(8),
    `${r.rssSettledMb} MB`.padStart(8),
    `${r.peakMb} MB`.padStart(8),
    ratio.padStart(14),
  ];
  return cells.join("  ");
}

async function main(): Promise<void> {
  const runs = Number(argument("--runs") ?? 10);
  const dir = mkdtempSync(join(tmpdir(), "acoupi-bench-"));
  try {
    const t0 = performance.now();
    const { bytes, params, flops } = birdnetShapedModel();
    const modelPath = join(dir, "birdnet-shaped.onnx");
    await Bun.write(modelPath, bytes);
    const genMs = performance.now() - t0;
    const binary = compileSelf(dir);
    console.log(`Synthetic BirdNET-shaped model: [1, ${SAMPLES}] -> [1, ${CLASSES}], ${(params / 1e6).toFixed(2)} M weights,`);
    console.log(`  ${(bytes.length / 1e6).toFixed(1)} MB file, ${(flops / 1e9).toFixed(2)} GFLOPs per 3 s window, generated in ${genMs.toFixed(0)} ms`);
    console.log(`  ${runs} timed runs after one warm-up; bun ${Bun.version}, ${navigator.hardwareConcurrency} CPUs\n`);
    const common = ["--model", modelPath, "--runs", String(runs), "--dir", dir];
    const source = [process.execPath, import.meta.path];
    const half = (command: string[], kind: string, label: string, threads = 1, extra: string[] = []) =>
      runChild(command, ["--half", kind, "--label", label, "--threads", String(threads), ...common, ...extra]);
    const native1 = half(source, "native", "native onnxruntime-node, 1 thread");
    const rows: Array<[Result, Result | undefined]> = [
      [native1, undefined],
      [half(source, "wasm-whole", "WASM, model as one buffer (old), bun run"), native1],
      [half(source, "wasm", "WASM, openSession, bun run"), native1],
      [half([binary], "wasm", "WASM, openSession, compiled binary", 1, ["--end-to-end", "1"]), native1],
    ];
    // INT8: the same weights quantized to uint8 (dynamic quantization), against native float.
    const int8Path = join(dir, "birdnet-shaped-int8.onnx");
    await Bun.write(int8Path, birdnetShapedModel(true).bytes);
    const dumps = { float: join(dir, "float.f32"), nativeInt8: join(dir, "native-int8.f32"), wasmInt8: join(dir, "wasm-int8.f32") };
    half(source, "native", "(float scores)", 1, ["--runs", "1", "--dump", dumps.float]);
    const int8 = ["--model", int8Path];
    const nativeInt8 = half(source, "native", "native onnxruntime-node, INT8, 1 thread", 1, [...int8, "--dump", dumps.nativeInt8]);
    const wasmInt8 = half([binary], "wasm", "WASM, compiled, INT8 (uint8), 1 thread", 1, [...int8, "--dump", dumps.wasmInt8]);
    rows.push([nativeInt8, native1], [wasmInt8, native1]);
    const maxDelta = (a: string, b: string) => {
      const x = new Float32Array(readFileSync(a).buffer.slice(0));
      const y = new Float32Array(readFileSync(b).buffer.slice(0));
      let max = 0;
      for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
      return max;
    };
    const int8Notes = [
      `INT8 max |Δ| of the ${CLASSES} scores against float native: WASM ${maxDelta(dumps.float, dumps.wasmInt8).toExponential(2)}, native ${maxDelta(dumps.float, dumps.nativeInt8).toExponential(2)};`,
      `  INT8 file ${(readFileSync(int8Path).length / 1e6).toFixed(1)} MB; compiled WASM INT8 / native INT8: ${(median(wasmInt8.runMs) / median(nativeInt8.runMs)).toFixed(2)}x`,
    ];
    if (THREADS > 1) {
      const nativeN = half(source, "native", `native onnxruntime-node, ${THREADS} threads`, THREADS);
      rows.push([nativeN, undefined], [half([binary], "wasm", `WASM, openSession, compiled, ${THREADS} threads`, THREADS), nativeN]);
    }
    console.log(`${"runtime".padEnd(46)}  ${"session".padStart(8)}  ${"median".padStart(9)}  ${"RTF".padStart(7)}  ${"RSS load".padStart(8)}  ${"settled".padStart(8)}  ${"peak".padStart(8)}  ${"vs native: time / RSS".padStart(14)}`);
    for (const [r, base] of rows) console.log(row(r, base));
    for (const note of int8Notes) console.log(note);
    const shipped = rows[3]?.[0];
    if (shipped !== undefined) {
      const ratio = median(shipped.runMs) / median(native1.runMs);
      console.log(`\nCompiled WASM / native time, 1 thread: ${ratio.toFixed(2)}x (goal <= 2x: ${ratio <= 2 ? "met" : "not met"})`);
      console.log(`Compiled binary RSS with the model loaded, settled: ${shipped.rssSettledMb} MB (goal <= 200 MB: ${shipped.rssSettledMb <= 200 ? "met" : "not met"}); right after loading ${shipped.rssLoadMb} MB, peak ${shipped.peakMb} MB`);
      const e = shipped.endToEnd;
      if (e !== undefined) {
        console.log(`OnnxModel.run end to end, compiled (read ${e.seconds} s 48 kHz WAV, 3 windows, ${CLASSES} labels): ${e.ms.toFixed(0)} ms, RTF ${(e.ms / 1000 / e.seconds).toFixed(4)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const half = argument("--half");
  if (half === undefined) await main();
  else await child(half);
}
