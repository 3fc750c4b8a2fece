/**
 * @module Benchmark: a deployment of the compiled x64 binary on the fake microphone. It prints
 * the latency of `acoupi start` (until the command returns with the runner's pidfile written,
 * and until the runner's status file appears; median of 5) and of `acoupi stop` (median of 5),
 * and the memory of the running runner (VmRSS and VmHWM from /proc/<pid>/status, PSS from
 * smaps_rollup) for the `default` program (48 kHz, 3 s every 10 s) and for `detection` with
 * Silero VAD, after 30 s each. Next to them, the same figures for a bare Bun process that only
 * waits (the runtime's own floor) and for `arecord` capturing from the same device (the reference
 * capture tool). Targets: start ≤ 0.5 s, stop ≤ 1 s, RSS ≤ 60 MB. It asserts nothing.
 * Run: `./node_modules/.bin/bun bench/deployment.ts [--seconds 30]`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiPaths } from "../src/system/paths.ts";
import { isProcessAlive, readLivePid } from "../src/system/pidfile.ts";
import { buildBinary } from "../test/helpers/binaries.ts";
import { makeTempHome, REPO, type TempHome } from "../test/helpers/cli.ts";
import { createFakeMic, testSignal, type FakeMic } from "../test/helpers/fake-mic.ts";

export const SILERO = join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");

export interface Memory {
  rssMb: number;
  hwmMb: number;
  pssMb: number;
  threads: number;
}

/** VmRSS, VmHWM and Threads from /proc/<pid>/status and Pss from smaps_rollup, in MB. */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  const rollup = existsSync(`/proc/${pid}/smaps_rollup`) ? readFileSync(`/proc/${pid}/smaps_rollup`, "utf8") : "";
  return {
    rssMb: kb(status, "VmRSS") / 1024,
    hwmMb: kb(status, "VmHWM") / 1024,
    pssMb: kb(rollup, "Pss") / 1024,
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface BenchHome {
  home: TempHome;
  mic: FakeMic;
  env: Record<string, string>;
  run(args: string[]): { code: number; ms: number; out: string };
  runnerPid(): number | null;
  statusFile: string;
  cleanup(): Promise<void>;
}

/** A temp home whose ACOUPI_ALSA_CONFIG holds a fake microphone, and a runner of `binary`. */
export async function benchHome(binary: string, input: Int16Array): Promise<BenchHome> {
  const home = makeTempHome("acoupi-bench-deploy-");
  const mic = await createFakeMic(input, { parent: home.home });
  const alsaConfig = join(home.home, "alsa.conf");
  writeFileSync(alsaConfig, mic.configText);
  const env = { ...home.env, ACOUPI_ALSA_CONFIG: alsaConfig, ACOUPI_SYSTEMD: "0" };
  const paths = acoupiPaths(home.acoupiHome);
  return {
    home,
    mic,
    env,
    statusFile: paths.statusFile,
    run(args) {
      const t0 = performance.now();
      const proc = Bun.spawnSync([binary, ...args], { env: { ...process.env, ...env }, cwd: home.home, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const ms = performance.now() - t0;
      const out = proc.stdout.toString() + proc.stderr.toString();
      if (proc.exitCode !== 0) throw new Error(`acoupi ${args.join(" ")} failed with exit code ${proc.exitCode}:\n${out}`);
      return { code: proc.exitCode ?? -1, ms, out };
    },
    runnerPid: () => readLivePid(paths.pidFile),
    async cleanup() {
      const pid = readLivePid(paths.pidFile);
      if (pid !== null) {
        process.kill(pid, "SIGTERM");
        for (let i = 0; i < 100 && isProcessAlive(pid); i++) await Bun.sleep(50);
      }
      await mic.cleanup();
      home.cleanup();
    },
  };
}

async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!existsSync(path)) {
    if (performance.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await Bun.sleep(2);
  }
}

/** Memory of a process after it has run for `seconds`. */
async function memoryAfter(pid: number, seconds: number): Promise<Memory> {
  await Bun.sleep(seconds * 1000);
  return memoryOf(pid);
}

const fmt = (m: Memory): string =>
  `RSS ${m.rssMb.toFixed(1)} MB   peak ${m.hwmMb.toFixed(1)} MB   PSS ${m.pssMb.toFixed(1)} MB   ${m.threads} threads`;

async function main(): Promise<void> {
  const secondsArg = process.argv.indexOf("--seconds");
  const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 30;
  const binary = buildBinary("x64");
  console.log(`Compiled binary: ${binary}`);
  const always = ["--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0"];

  // default: 48 kHz, 3 s every 10 s.
  const def = await benchHome(binary, testSignal(48000 * 4));
  try {
    def.run(["setup", "--program", "default", "--no-prompt", "--microphone.device_name", def.mic.device, "--microphone.samplerate", "48000",
      "--recording.duration", "3", "--recording.interval", "10", ...always]);
    const startMs: number[] = [];
    const statusMs: number[] = [];
    const stopMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      startMs.push(def.run(["start", "--name", `bench-${i}`, "--no-check"]).ms);
      await waitForFile(def.statusFile);
      statusMs.push(performance.now() - t0);
      await Bun.sleep(500);
      stopMs.push(def.run(["stop"]).ms);
    }
    console.log("\nLatency (compiled x64, default program), median of 5:");
    console.log(`  acoupi start, until it returns (pidfile written): ${median(startMs).toFixed(0)} ms   [${startMs.map((v) => v.toFixed(0)).join(", ")}]   target ≤ 500 ms`);
    console.log(`  acoupi start, until the status file appears:      ${median(statusMs).toFixed(0)} ms   [${statusMs.map((v) => v.toFixed(0)).join(", ")}]`);
    console.log(`  acoupi stop:                                      ${median(stopMs).toFixed(0)} ms   [${stopMs.map((v) => v.toFixed(0)).join(", ")}]   target ≤ 1000 ms`);

    def.run(["start", "--name", "bench-memory", "--no-check"]);
    const pid = def.runnerPid();
    if (pid === null) throw new Error("the default runner has no pidfile");
    const memory = await memoryAfter(pid, seconds);
    def.run(["stop"]);
    console.log(`\nMemory after ${seconds} s (target RSS ≤ 60 MB):`);
    console.log(`  default (48 kHz, 3 s every 10 s):  ${fmt(memory)}`);
  } finally {
    await def.cleanup();
  }

  // detection: Silero VAD on 16 kHz, 3 s every 10 s.
  const clip = new Int16Array(new Uint8Array(readFileSync(join(REPO, "assets/demo-clip.raw"))).buffer);
  const det = await benchHome(binary, clip);
  try {
    det.run(["setup", "--program", "detection", "--no-prompt", "--microphone.device_name", det.mic.device, "--microphone.samplerate", "16000",
      "--recording.duration", "3", "--recording.interval", "10", ...always,
      "--model.kind", "silero_vad", "--model.path", SILERO, "--detections.threshold", "0.5"]);
    det.run(["start", "--name", "bench-detection", "--no-check"]);
    const pid = det.runnerPid();
    if (pid === null) throw new Error("the detection runner has no pidfile");
    const memory = await memoryAfter(pid, seconds);
    det.run(["stop"]);
    console.log(`  detection (Silero VAD, 16 kHz):    ${fmt(memory)}`);
  } finally {
    await det.cleanup();
  }

  // References: the Bun runtime alone (compiled binaries are this runtime), and arecord.
  const idle = Bun.spawn([process.execPath, "-e", "setInterval(() => {}, 1000)"], { stdout: "ignore", stderr: "ignore" });
  const idleMemory = await memoryAfter(idle.pid, 2);
  idle.kill();
  console.log(`  reference: bare Bun waiting:       ${fmt(idleMemory)}`);
  // The fake mic reads faster than real time, so arecord would finish at once: feed it through a
  // named pipe that stays open after 1 s of audio, and measure it while it waits for more.
  const refMic = await createFakeMic({ fifo: true });
  const raw = join(refMic.dir, "one-second.raw");
  writeFileSync(raw, testSignal(48000));
  const feeder = Bun.spawn(["sh", "-c", `cat "$0" - > "$1"`, raw, refMic.rawPath], { stdin: "pipe", stdout: "ignore", stderr: "ignore" });
  const arecord = Bun.spawn(["arecord", "-q", "-D", refMic.device, "-f", "S16_LE", "-r", "48000", "-c", "1", "-d", "3", "/dev/null"], {
    env: { ...process.env, ...refMic.env }, stdout: "ignore", stderr: "ignore",
  });
  try {
    const arecordMemory = await memoryAfter(arecord.pid, 1);
    console.log(`  reference: arecord capturing:      ${fmt(arecordMemory)}`);
  } finally {
    arecord.kill();
    feeder.kill();
    await refMic.cleanup();
  }
}

if (import.meta.main) await main();
