/**
 * @module Benchmark: onnxruntime-web (WASM, opened as OnnxModel opens it) against native
 * onnxruntime-node, per window, with 1 and 2 threads, on three models:
 *   - BirdNET-size: bench/inference.ts's synthetic [1, 144000] → [1, 6522] conv stack (0.84
 *     GFLOPs per 3 s window), in float and dynamically quantized to uint8 (INT8);
 *   - the worked example's shape, [1, 102400] → [1, 85] at 256 kHz, twice: the stand-in detector
 *     the tests use (test/helpers/bat-model.ts, 0.013 GFLOPs) and a BatDetect-sized CNN
 *     (bench/_bat-cnn.ts, 0.28 GFLOPs).
 * This machine is shared and its load changes by the second, so each child process opens the
 * model in both runtimes (and, at 1 thread, in WASM with weight prepacking too) and runs them in
 * turn, run after run: the load weighs on each alike. It prints per window the median and fastest
 * wall time, and the CPU time of the calling thread (at 1 thread all the work runs there, so
 * waiting for a core does not count) and of all threads, then WASM / native by each. It asserts
 * nothing. Run: `./node_modules/.bin/bun bench/wasm-vs-native.ts [--runs 30] [--rounds 2] [--only birdnet|bat]`.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BAT, batAudio, batModel } from "../test/helpers/bat-model.ts";
import { batCnnModel } from "./_bat-cnn.ts";
import { birdnetShapedModel } from "./inference.ts";

/** One runtime's timings in a paired child: per timed run, wall time and CPU time in ms. */
interface Timings {
  label: string;
  createMs: number;
  wallMs: number[];
  /** CPU time of the calling (main) thread: all the work at 1 thread, free of waiting for a core. */
  mainCpuMs: number[];
  /** CPU time of all the process's threads (ORT's pool, JSC's compiler and collector too). */
  allCpuMs: number[];
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

/** clock_gettime through bun:ffi: Bun has no per-thread CPU clock, and /proc's counters lag by a tick. */
const clock = dlopen("libc.so.6", { clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 } }).symbols;
const timespec = new BigInt64Array(2);
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;

/** Nanoseconds on CPU of the calling thread, or of all the process's threads. */
function cpuNs(all: boolean): number {
  if (clock.clock_gettime(all ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, ptr(timespec)) !== 0) throw new Error("clock_gettime failed");
  return Number(timespec[0]) * 1e9 + Number(timespec[1]);
}

interface Runner {
  label: string;
  createMs: number;
  run(): Promise<unknown>;
  release(): Promise<void>;
}

/**
 * A child that opens the same model in both runtimes (native onnxruntime-node and WASM as
 * OnnxModel opens it, plus WASM with prepacking) with `--threads` threads, and times them in
 * turn, run after run, so that the machine's load weighs on each alike.
 */
async function child(): Promise<void> {
  const path = argument("--model") ?? "";
  const samples = Number(argument("--samples"));
  const runs = Number(argument("--runs") ?? 20);
  const threads = Number(argument("--threads") ?? 1);
  const input = inputFor(samples);
  const runners: Runner[] = [];
  const ort = await import("onnxruntime-node");
  let t0 = performance.now();
  // No spinning: an idle native pool would otherwise burn the core the WASM run is waiting for.
  const native = await ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    extra: { session: { "intra_op.allow_spinning": "0" } },
  });
  const nativeFeeds = { [native.inputNames[0] ?? "audio"]: new ort.Tensor("float32", input, [1, samples]) };
  runners.push({ label: "native", createMs: performance.now() - t0, run: () => native.run(nativeFeeds), release: () => native.release() });
  const { openSession } = await import("../src/components/models/_onnx-session.ts");
  for (const prepack of argument("--prepack") === "1" ? [false, true] : [false]) {
    t0 = performance.now();
    const opened = await openSession(path, "model.path", { threads, prepack });
    const feeds = { [opened.session.inputNames[0] ?? "audio"]: new opened.ort.Tensor("float32", input, [1, samples]) };
    runners.push({ label: prepack ? "WASM, prepacked" : "WASM", createMs: performance.now() - t0, run: () => opened.session.run(feeds), release: () => opened.session.release() });
  }
  // Enough runs for JSC to tier the hot WASM functions up to its optimising compiler.
  for (let i = 0; i < 10; i++) for (const r of runners) await r.run();
  const timings: Timings[] = runners.map((r) => ({ label: r.label, createMs: r.createMs, wallMs: [], mainCpuMs: [], allCpuMs: [] }));
  for (let i = 0; i < runs; i++) {
    for (const [k, r] of runners.entries()) {
      const t = timings[k] as Timings;
      const all = cpuNs(true);
      const main = cpuNs(false);
      const start = performance.now();
      await r.run();
      const wall = performance.now() - start;
      const mainAfter = cpuNs(false);
      t.wallMs.push(wall);
      t.mainCpuMs.push((mainAfter - main) / 1e6);
      t.allCpuMs.push((cpuNs(true) - all) / 1e6);
    }
  }
  for (const r of runners) await r.release();
  console.log(JSON.stringify(timings));
  process.exit(0);
}

function runChild(path: string, samples: number, runs: number, threads: number, prepack: boolean): Timings[] {
  const args = ["--child", "--model", path, "--samples", String(samples), "--runs", String(runs), "--threads", String(threads), "--prepack", prepack ? "1" : "0"];
  const proc = Bun.spawnSync([process.execPath, import.meta.path, ...args], { stderr: "pipe", env: { ...process.env, ACOUPI_LOG_LEVEL: "warn" } });
  const last = proc.stdout.toString().trim().split("\n").at(-1) ?? "";
  if (proc.exitCode !== 0 || !last.startsWith("[")) throw new Error(`${path} with ${threads} threads failed (exit ${proc.exitCode}): ${proc.stderr.toString()}`);
  return JSON.parse(last) as Timings[];
}

interface ModelCase {
  name: string;
  path: string;
  samples: number;
  note: string;
  int8?: string;
}

function table(title: string, rows: Array<{ label: string; t: Timings[] }>): void {
  console.log(`  ${title}`);
  console.log(`    ${"runtime".padEnd(22)} ${"median".padStart(9)} ${"fastest".padStart(9)} ${"main CPU".padStart(9)} ${"all CPU".padStart(9)} ${"session".padStart(8)}   WASM / native: median, fastest, main CPU`);
  for (const { label, t } of rows) {
    const med = (x: Timings, f: (x: Timings) => number[]) => median(f(x));
    const native = t.find((x) => x.label === "native") as Timings;
    for (const x of t) {
      const ratio =
        x === native
          ? ""
          : [med(x, (y) => y.wallMs) / med(native, (y) => y.wallMs), Math.min(...x.wallMs) / Math.min(...native.wallMs), med(x, (y) => y.mainCpuMs) / med(native, (y) => y.mainCpuMs)]
              .map((r) => `${r.toFixed(2)}x`)
              .join(", ");
      const cells = [
        `    ${`${x.label}${label}`.padEnd(22)}`,
        `${med(x, (y) => y.wallMs).toFixed(2)} ms`.padStart(9),
        `${Math.min(...x.wallMs).toFixed(2)} ms`.padStart(9),
        `${med(x, (y) => y.mainCpuMs).toFixed(2)} ms`.padStart(9),
        `${med(x, (y) => y.allCpuMs).toFixed(2)} ms`.padStart(9),
        `${x.createMs.toFixed(0)} ms`.padStart(8),
        `   ${ratio}`,
      ];
      console.log(cells.join(" "));
    }
  }
}

async function main(): Promise<void> {
  const runs = Number(argument("--runs") ?? 20);
  const rounds = Number(argument("--rounds") ?? 2);
  const only = argument("--only");
  const dir = mkdtempSync(join(tmpdir(), "acoupi-wasm-native-"));
  try {
    const cases: ModelCase[] = [];
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
    console.log(`bun ${Bun.version}, ${navigator.hardwareConcurrency} CPUs; per child: both runtimes, 10 warm-ups, then ${runs} timed runs of each in turn; ${rounds} children per row`);
    console.log("main CPU: CPU time of the calling thread per window (all the work at 1 thread); all CPU: every thread of the process\n");
    for (const c of cases) {
      console.log(`${c.name}: ${c.note}`);
      for (const threads of [1, 2]) {
        const merged = mergeRounds(Array.from({ length: rounds }, () => runChild(c.path, c.samples, runs, threads, threads === 1)));
        table(`${threads} thread${threads > 1 ? "s" : ""}`, [{ label: "", t: merged }]);
      }
      if (c.int8 !== undefined) {
        const int8 = c.int8;
        const merged = mergeRounds(Array.from({ length: rounds }, () => runChild(int8, c.samples, runs, 1, false)));
        table("INT8 (uint8 weights, dynamic quantization), 1 thread", [{ label: ", INT8", t: merged }]);
      }
      console.log("");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rounds of one row joined: all their runs, and the median session time. */
function mergeRounds(rounds: Timings[][]): Timings[] {
  return (rounds[0] ?? []).map((first, k) => {
    const all = rounds.map((r) => r[k] as Timings);
    return {
      label: first.label,
      createMs: median(all.map((x) => x.createMs)),
      wallMs: all.flatMap((x) => x.wallMs),
      mainCpuMs: all.flatMap((x) => x.mainCpuMs),
      allCpuMs: all.flatMap((x) => x.allCpuMs),
    };
  });
}

if (import.meta.main) {
  if (process.argv.includes("--child")) await child();
  else await main();
}
