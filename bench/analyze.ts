/**
 * @module Benchmark: `acoupi analyze` throughput, in seconds of audio per second, side by side
 * with native onnxruntime-node on the same windows. Two models, both built here:
 *   - BirdNET-size at 48 kHz: bench/inference.ts's BirdNET-shaped graph ([1, 144000] in, 6522
 *     sigmoid scores out, ~10.6 M weights, 0.84 GFLOPs per 3 s window), over 30 s files of noise;
 *   - the worked example's shape at 256 kHz: test/helpers/bat-model.ts (audio [1, 102400] →
 *     bat_prob [1, 85]), windows 0.4 s every 0.377 s, `model.frames peaks`, over 10 s files with
 *     FM sweeps.
 * analyze runs as the real CLI (`bun src/cli/main.ts analyze … --json`), with model.threads 1 and
 * 2 (one process) and with --jobs 2 × 1 thread; its figure is the `done` event's audio_s /
 * elapsed_s (model load included, process start not). The native reference reads the same files
 * through the same real-time reader, cuts the same windows and runs them with 1 and 2 intra-op
 * threads; its figure includes reading and windowing, and its inference alone is shown too.
 * `--files N` (default off) adds a memory run: N tiny files through a tiny model, peak RSS of the
 * analyze process for N/10 and N files. Asserts nothing.
 * Run: `./node_modules/.bin/bun bench/analyze.ts [--birdnet-files 6] [--bat-files 10] [--files 10000]`.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRealTime } from "../src/audio/real-time-audio.ts";
import { copyWindow, windowStarts } from "../src/components/models/_windows.ts";
import { BAT, batAudio, batModel, wav16 } from "../test/helpers/bat-model.ts";
import { acoupiCommand, makeTempHome } from "../test/helpers/cli.ts";
import { energyModel } from "../test/helpers/onnx-builder.ts";
import { birdnetShapedModel } from "./inference.ts";

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

interface Case {
  name: string;
  model: string;
  files: string[];
  audioSeconds: number;
  samplerate: number;
  window: number;
  hop: number;
  input: string;
  output: string;
  flags: string[];
}

/** Deterministic noise in ±amplitude. */
function noise(n: number, amplitude: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * amplitude;
  }
  return out;
}

async function birdnetCase(dir: string, count: number): Promise<Case> {
  const model = join(dir, "birdnet-size.onnx");
  await Bun.write(model, birdnetShapedModel().bytes);
  await Bun.write(join(dir, "birdnet-labels.txt"), Array.from({ length: 6522 }, (_, i) => `species ${i}`).join("\n"));
  const folder = join(dir, "birdnet");
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, `2024050${i % 9}_0600${String(i).padStart(2, "0")}.WAV`);
    await Bun.write(path, wav16(noise(48_000 * 30, 0.3, i + 1), 48_000));
    files.push(path);
  }
  return {
    name: "BirdNET-size, 48 kHz, 3 s windows",
    model,
    files,
    audioSeconds: count * 30,
    samplerate: 48_000,
    window: 3,
    hop: 3,
    input: "audio",
    output: "scores",
    flags: ["--model.path", model, "--model.labels", join(dir, "birdnet-labels.txt"), "--model.samplerate", "48000", "--model.window", "3", "--detections.threshold", "0.5"],
  };
}

async function batCase(dir: string, count: number): Promise<Case> {
  const model = join(dir, "bat.onnx");
  await Bun.write(model, batModel());
  await Bun.write(join(dir, "bat-labels.txt"), `${BAT.label}\n`);
  const folder = join(dir, "bats");
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, `bat${i}.wav`);
    const onsets = Array.from({ length: 40 }, (_, k) => 0.1 + k * 0.24);
    await Bun.write(path, wav16(batAudio({ seconds: 10, onsets, seed: i + 3 })));
    files.push(path);
  }
  return {
    name: "worked example (bat), 256 kHz, 0.4 s every 0.377 s, peaks",
    model,
    files,
    audioSeconds: count * 10,
    samplerate: BAT.samplerate,
    window: BAT.window,
    hop: BAT.hop,
    input: BAT.input,
    output: BAT.output,
    flags: [
      "--model.path", model, "--model.labels", join(dir, "bat-labels.txt"), "--model.samplerate", String(BAT.samplerate),
      "--model.window", String(BAT.window), "--model.hop", String(BAT.hop), "--model.input", BAT.input, "--model.output", BAT.output,
      "--model.frames", "peaks", "--model.min_gap", String(BAT.minGap), "--detections.threshold", "0.5",
    ],
  };
}

interface Run {
  /** audio_s / elapsed_s of the `done` event: model load included. */
  audioPerSecond: number;
  /** After the first file is done: the files that follow over the time they took. */
  steadyAudioPerSecond: number;
  /** Seconds of audio per CPU second of the whole process tree's run (children of --jobs included), load included. */
  audioPerCpuSecond: number;
  peakMb: number;
}

/** Runs `acoupi analyze --json`, timing each file event as it arrives; polls the process's peak RSS. */
async function analyze(dir: string, inputs: string[], flags: string[], out: string): Promise<Run> {
  const home = makeTempHome("acoupi-bench-analyze-");
  try {
    const proc = Bun.spawn([...acoupiCommand(), "analyze", ...inputs, "--program", "detection", ...flags, "--out", join(dir, out), "--json"], {
      env: { ...process.env, ...home.env },
      stdout: "pipe",
      stderr: "pipe",
    });
    let peakKb = 0;
    const poll = setInterval(async () => {
      const status = await Bun.file(`/proc/${proc.pid}/status`).text().catch(() => "");
      peakKb = Math.max(peakKb, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    }, 50);
    const stderr = new Response(proc.stderr).text();
    const events: Array<{ at: number; event: Record<string, number | string> }> = [];
    let pending = "";
    for await (const chunk of proc.stdout) {
      pending += new TextDecoder().decode(chunk);
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) if (l.trim() !== "") events.push({ at: performance.now(), event: JSON.parse(l) as Record<string, number | string> });
    }
    await proc.exited;
    clearInterval(poll);
    const usage = proc.resourceUsage();
    const cpuSeconds = usage === undefined ? Number.NaN : Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6;
    const done = events.find((e) => e.event.event === "done")?.event;
    if (done === undefined || done.failed !== 0) throw new Error(`analyze failed:\n${events.map((e) => JSON.stringify(e.event)).join("\n")}\n${await stderr}`);
    const files = events.filter((e) => e.event.event === "file");
    const first = files[0] as (typeof files)[number];
    const last = files.at(-1) as (typeof files)[number];
    const after = files.slice(1).reduce((sum, e) => sum + Number(e.event.audio_s), 0);
    return {
      audioPerSecond: Number(done.audio_s) / Number(done.elapsed_s),
      steadyAudioPerSecond: after / ((last.at - first.at) / 1000),
      audioPerCpuSecond: Number(done.audio_s) / cpuSeconds,
      peakMb: peakKb / 1024,
    };
  } finally {
    home.cleanup();
  }
}

interface NativeRun {
  audioPerSecond: number;
  inferenceAudioPerSecond: number;
  /** Load included, like analyze's. */
  audioPerCpuSecond: number;
}

/** The same files, reader and windows, through native onnxruntime-node. */
async function native(c: Case, threads: number): Promise<NativeRun> {
  const ort = await import("onnxruntime-node");
  const cpu0 = process.cpuUsage();
  const session = await ort.InferenceSession.create(c.model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all" });
  const windowSamples = Math.round(c.samplerate * c.window);
  const hopSamples = Math.round(c.samplerate * c.hop);
  const began = performance.now();
  let inferMs = 0;
  for (const file of c.files) {
    const { samples } = await readRealTime(file, { rate: c.samplerate });
    for (const start of windowStarts(samples.length, windowSamples, hopSamples)) {
      const data = new Float32Array(windowSamples);
      copyWindow(samples, start, windowSamples, data, 0);
      const t0 = performance.now();
      await session.run({ [c.input]: new ort.Tensor("float32", data, [1, windowSamples]) });
      inferMs += performance.now() - t0;
    }
  }
  const totalMs = performance.now() - began;
  await session.release();
  const cpu = process.cpuUsage(cpu0);
  return { audioPerSecond: c.audioSeconds / (totalMs / 1000), inferenceAudioPerSecond: c.audioSeconds / (inferMs / 1000), audioPerCpuSecond: c.audioSeconds / ((cpu.user + cpu.system) / 1e6) };
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

async function throughput(dir: string, c: Case): Promise<void> {
  const folder = join(c.files[0] as string, "..");
  const one = await analyze(dir, [folder], [...c.flags, "--model.threads", "1"], "out-t1");
  const two = await analyze(dir, [folder], [...c.flags, "--model.threads", "2"], "out-t2");
  const jobs = await analyze(dir, [folder], [...c.flags, "--model.threads", "1", "--jobs", "2"], "out-j2");
  const n1 = await native(c, 1);
  const n2 = await native(c, 2);
  console.log(`\n${c.name}: ${c.files.length} files, ${c.audioSeconds} s of audio (seconds of audio per second; higher is better)`);
  console.log("| run | whole run (load included) | steady (after the first file) | native ÷ steady | per CPU second (load included) |");
  console.log("|---|---|---|---|---|");
  const row = (name: string, r: Run, base: NativeRun) =>
    console.log(`| ${name} | ${fmt(r.audioPerSecond)} | ${fmt(r.steadyAudioPerSecond)} | ${(base.audioPerSecond / r.steadyAudioPerSecond).toFixed(2)}× | ${fmt(r.audioPerCpuSecond)} |`);
  row("acoupi analyze, model.threads 1", one, n1);
  row("acoupi analyze, model.threads 2", two, n2);
  row("acoupi analyze, --jobs 2 × 1 thread (vs native 2 threads)", jobs, n2);
  console.log(`| native onnxruntime-node, 1 thread (read + windows + inference) | | ${fmt(n1.audioPerSecond)} | 1 | ${fmt(n1.audioPerCpuSecond)} |`);
  console.log(`| native onnxruntime-node, 2 threads (read + windows + inference) | | ${fmt(n2.audioPerSecond)} | 1 | ${fmt(n2.audioPerCpuSecond)} |`);
  console.log(`| native inference alone, 1 / 2 threads | | ${fmt(n1.inferenceAudioPerSecond)} / ${fmt(n2.inferenceAudioPerSecond)} | |`);
  console.log(`Load average at the end: ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")} on ${navigator.hardwareConcurrency} cores`);
  console.log(`Peak RSS of analyze: ${one.peakMb.toFixed(0)} MB (1 thread), ${two.peakMb.toFixed(0)} MB (2 threads), ${jobs.peakMb.toFixed(0)} MB (parent of --jobs 2)`);
}

/** Peak RSS for n/10 and n tiny files: flat when nothing per file is held. */
async function memory(dir: string, n: number): Promise<void> {
  const model = join(dir, "tiny.onnx");
  await Bun.write(model, energyModel(800));
  await Bun.write(join(dir, "tiny-labels.txt"), "loud\npower\n");
  const flags = ["--model.path", model, "--model.labels", join(dir, "tiny-labels.txt"), "--model.samplerate", "8000", "--model.window", "0.1", "--detections.threshold", "0.2"];
  const bytes = wav16(noise(800, 0.5, 7), 8000);
  const rows: string[] = [];
  for (const count of [Math.round(n / 10), n]) {
    const folder = join(dir, `tiny-${count}`);
    for (let i = 0; i < count; i++) {
      if (i % 500 === 0) mkdirSync(join(folder, `d${i / 500}`), { recursive: true });
      await Bun.write(join(folder, `d${Math.floor(i / 500)}`, `f${i}.wav`), bytes);
    }
    const began = performance.now();
    const run = await analyze(dir, [folder], flags, `tiny-out-${count}`);
    rows.push(`| ${count} files of 0.1 s | ${run.peakMb.toFixed(0)} MB | ${((performance.now() - began) / 1000).toFixed(1)} s |`);
  }
  console.log("\nMemory over many files (tiny model)\n| folder | peak RSS | wall time |\n|---|---|---|");
  for (const row of rows) console.log(row);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-bench-analyze-"));
  try {
    await throughput(dir, await birdnetCase(dir, argument("--birdnet-files", 6)));
    await throughput(dir, await batCase(dir, argument("--bat-files", 10)));
    const files = argument("--files", 0);
    if (files > 0) await memory(dir, files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
