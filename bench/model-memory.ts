/**
 * @module Benchmark: the memory of the compiled x64 runner with a BirdNET-size model loaded.
 * It writes a synthetic model with BirdNET v2.4's shapes ([1, 144000] audio in, [1, 6522] scores
 * out) and about 8 M random float32 weights (~31 MB): 144 frames of 1000 samples, a 1000→1024
 * dense layer with ReLU, the mean over frames, then a 1024→6522 dense layer. The `detection`
 * program runs it as a classifier (48 kHz, 3 s every 10 s, sigmoid) on the fake microphone; once
 * the first model output is stored, the runner's VmRSS, VmHWM and PSS are read from /proc, next
 * to the same runner with the `test` program (no recorder, no model: the compiled runtime's
 * floor) and with Silero VAD (ORT loaded, a 2 MB model). Target: RSS ≤ 200 MB. Asserts nothing.
 * Run: `./node_modules/.bin/bun bench/model-memory.ts`.
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../test/helpers/binaries.ts";
import { buildOnnxModel } from "../test/helpers/onnx-builder.ts";
import { testSignal } from "../test/helpers/fake-mic.ts";
import { benchHome, memoryOf, SILERO, type Memory } from "./deployment.ts";

const LABELS = 6522;
const FRAMES = 144;
const FRAME = 1000;
const HIDDEN = 1024;

/** Uniform values in ±scale from a seeded linear congruential generator. */
function weights(count: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

function birdnetSizeModel(): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: "audio", shape: [1, FRAMES * FRAME] }],
    outputs: [{ name: "logits", shape: [1, LABELS] }],
    nodes: [
      { op: "Reshape", inputs: ["audio", "frames_shape"], outputs: ["frames"] },
      { op: "MatMul", inputs: ["frames", "w1"], outputs: ["h"] },
      { op: "Relu", inputs: ["h"], outputs: ["hr"] },
      { op: "ReduceMean", inputs: ["hr"], outputs: ["pooled"], attributes: { axes: [0], keepdims: 1 } },
      { op: "MatMul", inputs: ["pooled", "w2"], outputs: ["logits"] },
    ],
    initializers: [
      { name: "frames_shape", dims: [2], data: BigInt64Array.of(BigInt(FRAMES), BigInt(FRAME)) },
      { name: "w1", dims: [FRAME, HIDDEN], data: weights(FRAME * HIDDEN, Math.sqrt(6 / FRAME), 1) },
      { name: "w2", dims: [HIDDEN, LABELS], data: weights(HIDDEN * LABELS, Math.sqrt(6 / HIDDEN), 2) },
    ],
  });
}

/** Model outputs stored so far; 0 while the runner still holds the database locked as it creates it. */
function modelOutputCount(db: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    const table = conn.query("SELECT name FROM sqlite_master WHERE name = 'model_outputs'").get();
    return table === null ? 0 : (conn.query("SELECT count(*) AS n FROM model_outputs").get() as { n: number }).n;
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_BUSY") return 0;
    throw error;
  } finally {
    conn.close();
  }
}

export const ALWAYS = ["--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0"];

/** Sets up with `args`, starts, waits for the first model output, reads the runner's memory 3 s later, stops. */
export async function runnerMemory(binary: string, args: string[], samplerate: number): Promise<Memory> {
  const bench = await benchHome(binary, testSignal(samplerate * 4));
  try {
    bench.run(["setup", "--no-prompt", "--microphone.device_name", bench.mic.device, "--microphone.samplerate", String(samplerate), ...args]);
    bench.run(["start", "--name", "model-memory", "--no-check"]);
    const pid = bench.runnerPid();
    if (pid === null) throw new Error("the runner has no pidfile");
    const db = join(bench.home.acoupiHome, "storages/metadata.db");
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (existsSync(db) && modelOutputCount(db) > 0) break;
      if (Date.now() > deadline) throw new Error("no model output within 60 s");
      await Bun.sleep(200);
    }
    await Bun.sleep(3000);
    const memory = memoryOf(pid);
    bench.run(["stop"]);
    return memory;
  } finally {
    await bench.cleanup();
  }
}

const fmt = (m: Memory): string => `RSS ${m.rssMb.toFixed(1)} MB   peak ${m.hwmMb.toFixed(1)} MB   PSS ${m.pssMb.toFixed(1)} MB`;

async function main(): Promise<void> {
  const binary = buildBinary("x64");
  const dir = mkdtempSync(join(tmpdir(), "acoupi-model-memory-"));
  const modelPath = join(dir, "birdnet-size.onnx");
  const model = birdnetSizeModel();
  writeFileSync(modelPath, model);
  const labels = join(dir, "labels.txt");
  writeFileSync(labels, Array.from({ length: LABELS }, (_, i) => `label ${i}`).join("\n"));
  console.log(`Compiled binary: ${binary}`);
  console.log(`Synthetic BirdNET-size model: ${(model.byteLength / 1e6).toFixed(1)} MB, [1, ${FRAMES * FRAME}] → [1, ${LABELS}]`);

  const testRunner = await (async () => {
    const bench = await benchHome(binary, testSignal(16));
    try {
      bench.run(["setup", "--program", "test", "--no-prompt"]);
      bench.run(["start", "--name", "floor", "--no-check"]);
      const pid = bench.runnerPid();
      if (pid === null) throw new Error("the test runner has no pidfile");
      await Bun.sleep(3000);
      const memory = memoryOf(pid);
      bench.run(["stop"]);
      return memory;
    } finally {
      await bench.cleanup();
    }
  })();
  const silero = await runnerMemory(binary, ["--program", "detection", "--recording.duration", "3", "--recording.interval", "10", ...ALWAYS,
    "--model.kind", "silero_vad", "--model.path", SILERO], 16000);
  const birdnet = await runnerMemory(binary, ["--program", "detection", "--recording.duration", "3", "--recording.interval", "10", ...ALWAYS,
    "--model.path", modelPath, "--model.labels", labels, "--model.samplerate", "48000", "--model.window", "3", "--model.activation", "sigmoid"], 48000);

  console.log("\nRunner memory (compiled x64), after the first model output:");
  console.log(`  test program (no recorder, no model):      ${fmt(testRunner)}`);
  console.log(`  detection, Silero VAD (2 MB model):        ${fmt(silero)}`);
  console.log(`  detection, BirdNET-size model (${(model.byteLength / 1e6).toFixed(0)} MB):     ${fmt(birdnet)}   target RSS ≤ 200 MB`);
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.main) await main();
