/**
 * @module Benchmark: onnxruntime-web (WASM, as OnnxModel opens it) against native
 * onnxruntime-node, per window, with 1 and 2 threads, on three models:
 *   - BirdNET-size: bench/inference.ts's synthetic [1, 144000] → [1, 6522] conv stack (0.84
 *     GFLOPs per 3 s window), in float and dynamically quantized to uint8 (INT8);
 *   - the worked example's shape, [1, 102400] → [1, 85] at 256 kHz, twice: the stand-in detector
 *     the tests use (test/helpers/bat-model.ts, 0.013 GFLOPs: overhead-bound) and a
 *     BatDetect-sized CNN (bench/_bat-cnn.ts, 0.29 GFLOPs: compute-bound).
 * WASM also runs with weight prepacking on (`model.batch` > 1 turns it on). Each variant runs
 * in its own child process, in rounds that alternate the variants, because this machine is shared
 * and its load changes by the minute. For each it prints the median wall time per window, the
 * fastest window, and the CPU time per window (user + system of the whole process over the timed
 * runs, which waiting for a core does not inflate), then WASM / native at equal threads, by the
 * median and by CPU. It asserts nothing. Run:
 * `./node_modules/.bin/bun bench/wasm-vs-native.ts [--runs 20] [--rounds 2] [--only birdnet|bat]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BAT, batAudio, batModel } from "../test/helpers/bat-model.ts";
import { batCnnModel } from "./_bat-cnn.ts";
import { birdnetShapedModel } from "./inference.ts";

interface Child {
  createMs: number;
  wallMs: number[];
  cpuMsPerRun: number;
}

interface Variant {
  model: string;
  runtime: "native" | "wasm";
  threads: number;
  prepack?: boolean;
  label: string;
}

function argument(name: string): string | undefined {
  const i = process.argv.lastIndexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function inputFor(samples: number): Float32Array {
  if (samples === BAT.samples) return batAudio({ seconds: BAT.window, onsets: [0.05, 0.2, 0.33] });
  const out = new Float32Array(samples);
  let s = 7;
  for (let i = 0; i < samples; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 4294967296 - 0.5) * 0.6;
  }
  return out;
}

interface AnySession {
  inputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<unknown>;
  release(): Promise<void>;
}

async function child(): Promise<void> {
  const path = argument("--model") ?? "";
  const samples = Number(argument("--samples"));
  const runs = Number(argument("--runs") ?? 20);
  const threads = Number(argument("--threads") ?? 1);
  const t0 = performance.now();
  let session: AnySession;
  let tensor: unknown;
  if (argument("--runtime") === "native") {
    const ort = await import("onnxruntime-node");
    session = await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" });
    tensor = new ort.Tensor("float32", inputFor(samples), [1, samples]);
  } else {
    const { openSession } = await import("../src/components/models/_onnx-session.ts");
    const opened = await openSession(path, "model.path", { threads, prepack: argument("--prepack") === "1" });
    session = opened.session;
    tensor = new opened.ort.Tensor("float32", inputFor(samples), [1, samples]);
  }
  const createMs = performance.now() - t0;
  const feeds = { [session.inputNames[0] ?? "audio"]: tensor };
  // Enough runs for JSC to tier the hot WASM functions up to its optimising compiler.
  for (let i = 0; i < 10; i++) await session.run(feeds);
  const wallMs: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run(feeds);
    wallMs.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  await session.release();
  const result: Child = { createMs, wallMs, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs };
  console.log(JSON.stringify(result));
  process.exit(0);
}

function runChild(v: Variant, path: string, samples: number, runs: number): Child {
  const args = ["--child", "--runtime", v.runtime, "--model", path, "--samples", String(samples), "--runs", String(runs), "--threads", String(v.threads), "--prepack", v.prepack ? "1" : "0"];
  const proc = Bun.spawnSync([process.execPath, import.meta.path, ...args], { stderr: "pipe", env: { ...process.env, ACOUPI_LOG_LEVEL: "warn" } });
  const last = proc.stdout.toString().trim().split("\n").at(-1) ?? "";
  if (proc.exitCode !== 0 || !last.startsWith("{")) throw new Error(`${v.label} on ${path} failed (exit ${proc.exitCode}): ${proc.stderr.toString()}`);
  return JSON.parse(last) as Child;
}

interface ModelCase {
  name: string;
  path: string;
  samples: number;
  note: string;
}

function variantsFor(model: string, int8Path?: string): Array<Variant & { path?: string }> {
  const list: Array<Variant & { path?: string }> = [];
  for (const threads of [1, 2]) {
    list.push({ model, runtime: "native", threads, label: `native, ${threads} thread${threads > 1 ? "s" : ""}` });
    list.push({ model, runtime: "wasm", threads, label: `WASM, ${threads} thread${threads > 1 ? "s" : ""}` });
  }
  list.push({ model, runtime: "wasm", threads: 1, prepack: true, label: "WASM, 1 thread, prepacked weights" });
  if (int8Path !== undefined) {
    list.push({ model, runtime: "native", threads: 1, label: "native, INT8, 1 thread", path: int8Path });
    list.push({ model, runtime: "wasm", threads: 1, label: "WASM, INT8, 1 thread", path: int8Path });
    list.push({ model, runtime: "wasm", threads: 2, label: "WASM, INT8, 2 threads", path: int8Path });
  }
  return list;
}

async function main(): Promise<void> {
  const runs = Number(argument("--runs") ?? 20);
  const rounds = Number(argument("--rounds") ?? 2);
  const only = argument("--only");
  const dir = mkdtempSync(join(tmpdir(), "acoupi-wasm-native-"));
  try {
    const cases: Array<ModelCase & { int8?: string }> = [];
    if (only === undefined || only === "birdnet") {
      const float = birdnetShapedModel();
      await Bun.write(join(dir, "birdnet.onnx"), float.bytes);
      await Bun.write(join(dir, "birdnet-int8.onnx"), birdnetShapedModel(true).bytes);
      cases.push({ name: "BirdNET-size", path: join(dir, "birdnet.onnx"), int8: join(dir, "birdnet-int8.onnx"), samples: 144_000, note: `${(float.flops / 1e9).toFixed(2)} GFLOPs, ${(float.params / 1e6).toFixed(1)} M weights, per 3 s window` });
    }
    if (only === undefined || only === "bat") {
      await Bun.write(join(dir, "bat-standin.onnx"), batModel());
      cases.push({ name: "bat stand-in", path: join(dir, "bat-standin.onnx"), samples: BAT.samples, note: "0.013 GFLOPs per 0.4 s window (FIR, frame energy)" });
      const cnn = batCnnModel();
      await Bun.write(join(dir, "bat-cnn.onnx"), cnn.bytes);
      cases.push({ name: "BatDetect-sized CNN", path: join(dir, "bat-cnn.onnx"), samples: BAT.samples, note: `${(cnn.flops / 1e9).toFixed(2)} GFLOPs, ${(cnn.params / 1e3).toFixed(0)} k weights, per 0.4 s window` });
    }
    console.log(`bun ${Bun.version}, ${navigator.hardwareConcurrency} CPUs; ${runs} timed runs after 10 warm-ups, ${rounds} rounds alternating the variants\n`);
    for (const c of cases) {
      const variants = variantsFor(c.name, c.int8);
      const results = new Map<string, Child[]>();
      for (let r = 0; r < rounds; r++) {
        for (const v of variants) results.set(v.label, [...(results.get(v.label) ?? []), runChild(v, v.path ?? c.path, c.samples, runs)]);
      }
      console.log(`${c.name}: ${c.note}`);
      console.log(`  ${"runtime".padEnd(36)} ${"median".padStart(9)} ${"fastest".padStart(9)} ${"CPU/window".padStart(11)} ${"session".padStart(8)}   WASM/native (median, CPU)`);
      const summary = new Map<string, { med: number; cpu: number }>();
      for (const v of variants) {
        const all = results.get(v.label) ?? [];
        const wall = all.flatMap((x) => x.wallMs);
        const med = median(wall);
        const cpu = median(all.map((x) => x.cpuMsPerRun));
        summary.set(v.label, { med, cpu });
        let ratio = "";
        if (v.runtime === "wasm") {
          const int8 = v.label.includes("INT8") ? ", INT8" : "";
          const base = summary.get(`native${int8}, ${v.threads} thread${v.threads > 1 ? "s" : ""}`) ?? summary.get(`native, ${v.threads} thread${v.threads > 1 ? "s" : ""}`);
          const native1 = summary.get("native, 1 thread");
          if (base !== undefined) ratio = `${(med / base.med).toFixed(2)}x, ${(cpu / base.cpu).toFixed(2)}x`;
          if (native1 !== undefined && v.threads > 1) ratio += ` (vs native 1 thread: ${(med / native1.med).toFixed(2)}x)`;
        }
        const cells = [
          `  ${v.label.padEnd(36)}`,
          `${med.toFixed(2)} ms`.padStart(9),
          `${Math.min(...wall).toFixed(2)} ms`.padStart(9),
          `${cpu.toFixed(2)} ms`.padStart(11),
          `${median(all.map((x) => x.createMs)).toFixed(0)} ms`.padStart(8),
          `  ${ratio}`,
        ];
        console.log(cells.join(" "));
      }
      console.log("");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (process.argv.includes("--child")) await child();
  else await main();
}
