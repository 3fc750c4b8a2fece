/**
 * @module Benchmark: the CPU of a bat-style runner at 256 and 384 kHz against `arecord` in the same
 * run. The compiled x64 `detection` runner records 1 s every second from the fake microphone and
 * runs the BatDetect-shaped test model (test/helpers/bat-model.ts: 0.4 s windows every 0.377 s at
 * 256 kHz, per-frame peaks; at 384 kHz each recording is resampled to 256 kHz first) in its model
 * Worker. After a warm-up, the runner's CPU (utime + stime of all its threads, /proc/<pid>/stat)
 * over a window is divided by the seconds of audio it recorded in that window; `arecord` records
 * the same seconds from the same microphone, and its CPU is divided alike. The fake device is
 * faster than real time, so both are "CPU per second of audio", not a load at real time. There is
 * no energy trigger on this branch, so the trigger variants are not measured. Asserts nothing.
 * Run: `./node_modules/.bin/bun bench/bat-runner-cpu.ts [window seconds]`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../test/helpers/binaries.ts";
import { BAT, batModel } from "../test/helpers/bat-model.ts";
import { testSignal } from "../test/helpers/fake-mic.ts";
import { benchHome } from "./deployment.ts";
import { ALWAYS } from "./model-memory.ts";

const RATES = [256_000, 384_000];
const TICKS_PER_S = 100;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // After "pid (comm) ": state is field 3, utime field 14 and stime field 15 (1-based).
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

function recordingRuns(statusFile: string): number {
  const status = JSON.parse(readFileSync(statusFile, "utf8")) as { tasks: Record<string, { lastSuccess: string | null; runs: number; failures: number }> };
  const t = status.tasks.recording_task;
  return (t?.runs ?? 0) - (t?.failures ?? 0);
}

async function measure(binary: string, rate: number, windowS: number): Promise<{ runnerMs: number; arecordMs: number; audioS: number }> {
  const bench = await benchHome(binary, testSignal(rate * 4));
  try {
    const model = join(bench.home.home, "bat.onnx");
    writeFileSync(model, batModel());
    const labels = join(bench.home.home, "labels.txt");
    writeFileSync(labels, `${BAT.label}\n`);
    bench.run([
      "setup", "--program", "detection", "--no-prompt", "--microphone.device_name", bench.mic.device, "--microphone.samplerate", String(rate),
      "--recording.duration", "1", "--recording.interval", "1", ...ALWAYS,
      "--model.path", model, "--model.labels", labels, "--model.samplerate", String(BAT.samplerate), "--model.window", String(BAT.window),
      "--model.hop", String(BAT.hop), "--model.input", BAT.input, "--model.output", BAT.output, "--model.frames", "peaks",
      "--model.min_gap", String(BAT.minGap), "--model.threshold", "0.5", "--detections.backlog", "skip_oldest",
    ]);
    bench.run(["start", "--name", "bat-cpu", "--no-check"]);
    const pid = bench.runnerPid();
    if (pid === null) throw new Error("the runner has no pidfile");
    await Bun.sleep(8000); // start-up, ORT and the model loaded
    const [cpu0, runs0] = [cpuSeconds(pid), recordingRuns(bench.statusFile)];
    await Bun.sleep(windowS * 1000);
    const [cpu1, runs1] = [cpuSeconds(pid), recordingRuns(bench.statusFile)];
    bench.run(["stop"]);
    const audioS = runs1 - runs0;
    const wav = join(bench.home.home, "arecord.wav");
    const proc = Bun.spawnSync(["arecord", "-q", "-D", bench.mic.device, "-f", "S16_LE", "-r", String(rate), "-c", "1", "-d", String(Math.max(1, audioS)), wav], {
      env: { ...process.env, ...bench.mic.env },
      stderr: "pipe",
    });
    if (proc.exitCode !== 0) throw new Error(`arecord failed: ${proc.stderr.toString()}`);
    const usage = proc.resourceUsage;
    const arecordMs = usage === undefined ? NaN : Number(usage.cpuTime.user + usage.cpuTime.system) / 1000;
    return { runnerMs: (cpu1 - cpu0) * 1000, arecordMs, audioS };
  } finally {
    await bench.cleanup();
  }
}

async function main(windowS: number): Promise<void> {
  const binary = buildBinary("x64");
  console.log(`Compiled binary: ${binary}; window ${windowS} s after an 8 s warm-up; recordings 1 s every 1 s`);
  console.log("\nrate      | runner CPU per s of audio | arecord CPU per s of audio | ratio | audio s in window");
  for (const rate of RATES) {
    const { runnerMs, arecordMs, audioS } = await measure(binary, rate, windowS);
    const ours = runnerMs / Math.max(1, audioS);
    const theirs = arecordMs / Math.max(1, audioS);
    console.log(`${rate / 1000} kHz | ${ours.toFixed(0)} ms | ${theirs.toFixed(1)} ms | ${(ours / theirs).toFixed(0)}× | ${audioS}`);
  }
}

if (import.meta.main) await main(Number(process.argv[2] ?? 20));
