/**
 * @module Benchmark: the `bat` program's runner CPU at 256 and 384 kHz, with the energy trigger
 * alone and with the trigger in front of the worked example's sound-event model
 * (test/helpers/bat-model.ts), against `arecord` capturing the same audio from the same fake
 * microphone in the same run. The microphone replays `--seconds` of audible hum with FM sweeps
 * every 0.25 s in every other second, so half the 1 s recordings hold calls (the trigger passes
 * them to the model) and half do not (the trigger spares the model). The runner records 1 s
 * files back to back from source (`bun src/cli/main.ts`), and its CPU is read from
 * /proc/<pid>/stat from its first stored model output (start-up, module loading and the model's
 * session left out) to the output of the input's last recording; the figure is CPU seconds per
 * recording (1 s of audio) over those recordings. arecord's figure is its
 * user+system time reading the same number of seconds at the same rate. The fake microphone
 * reads faster than real time, so both figures are the work per second of audio, not a share of
 * a real-time core. Asserts nothing.
 * Run: `./node_modules/.bin/bun bench/bat-program.ts [--seconds 12]`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiPaths } from "../src/system/paths.ts";
import { isProcessAlive, readLivePid } from "../src/system/pidfile.ts";
import { BAT, batAudio, batModel } from "../test/helpers/bat-model.ts";
import { acoupiCommand, makeTempHome } from "../test/helpers/cli.ts";
import { createFakeMic } from "../test/helpers/fake-mic.ts";
import { countRows } from "../test/helpers/deployment.ts";

const at = process.argv.indexOf("--seconds");
const SECONDS = at >= 0 ? Number(process.argv[at + 1]) : 12;
const TICKS = 100; // CLK_TCK on Linux

function input(rate: number): Int16Array {
  const onsets: number[] = [];
  for (let s = 0; s < SECONDS; s += 2) for (let k = 0; k < 4; k++) onsets.push(s + 0.1 + k * 0.25);
  return Int16Array.from(batAudio({ seconds: SECONDS, onsets, samplerate: rate }), (v) => Math.round(v * 32767));
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function outputs(db: string): number {
  return countRows(db, "SELECT DISTINCT recording_id FROM model_outputs");
}

async function runner(rate: number, withModel: boolean): Promise<{ cpu: number; wall: number; files: number }> {
  const home = makeTempHome("acoupi-bench-bat-");
  const mic = await createFakeMic(input(rate), { parent: home.home });
  const alsa = join(home.home, "alsa.conf");
  writeFileSync(alsa, mic.configText);
  const env = { ...process.env, ...home.env, ACOUPI_ALSA_CONFIG: alsa, ACOUPI_SYSTEMD: "0", NO_COLOR: "1" };
  const run = (args: string[]) => {
    const proc = Bun.spawnSync([...acoupiCommand(), ...args], { env, stdout: "pipe", stderr: "pipe" });
    if (proc.exitCode !== 0) throw new Error(`acoupi ${args.join(" ")}: ${proc.stderr.toString()}`);
  };
  const model = join(home.home, "batdetect.onnx");
  writeFileSync(model, batModel());
  const modelArgs = withModel
    ? ["--model.path", model, "--model.labels.0", BAT.label, "--model.samplerate", String(BAT.samplerate), "--model.window", String(BAT.window),
       "--model.hop", String(BAT.hop), "--model.input", BAT.input, "--model.output", BAT.output, "--model.frames", "peaks", "--model.min_gap", String(BAT.minGap)]
    : [];
  try {
    run(["setup", "--program", "bat", "--no-prompt", "--microphone.device_name", mic.device, "--microphone.samplerate", String(rate),
      "--recording.duration", "1", "--recording.interval", "1", "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
      "--recording.min_free_mb", "0", "--file_management.interval", "5", "--messaging.heartbeat_interval", "3600", ...modelArgs]);
    const t0 = performance.now();
    run(["start", "--name", "bench", "--no-check"]);
    const pid = readLivePid(acoupiPaths(home.acoupiHome).pidFile);
    if (pid === null) throw new Error("no runner pid");
    const db = join(home.acoupiHome, "storages/metadata.db");
    const deadline = performance.now() + 10 * 60_000;
    // From the first model output on: start-up (modules, the model's session) is left out.
    while (outputs(db) < 1 && performance.now() < deadline) await Bun.sleep(50);
    const cpu0 = cpuSeconds(pid);
    const first = outputs(db);
    while (outputs(db) < SECONDS && performance.now() < deadline) await Bun.sleep(50);
    const cpu = cpuSeconds(pid) - cpu0;
    const wall = (performance.now() - t0) / 1000;
    const files = outputs(db) - first;
    run(["stop"]);
    for (let i = 0; i < 100 && isProcessAlive(pid); i++) await Bun.sleep(50);
    return { cpu, wall, files };
  } finally {
    const pid = readLivePid(acoupiPaths(home.acoupiHome).pidFile);
    if (pid !== null) process.kill(pid, "SIGTERM");
    await mic.cleanup();
    home.cleanup();
  }
}

async function arecord(rate: number): Promise<number> {
  const mic = await createFakeMic(input(rate));
  try {
    const proc = Bun.spawnSync(["arecord", "-q", "-D", mic.device, "-f", "S16_LE", "-r", String(rate), "-c", "1", "-d", String(SECONDS), "/dev/null"], {
      env: { ...process.env, ...mic.env }, stdout: "ignore", stderr: "pipe",
    });
    if (proc.exitCode !== 0) throw new Error(`arecord: ${proc.stderr.toString()}`);
    const usage = proc.resourceUsage;
    return usage === undefined ? NaN : Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6;
  } finally {
    await mic.cleanup();
  }
}

console.log(`bat program runner CPU per second of audio (${SECONDS} s of input, 1 s files, calls in every other second)`);
console.log("rate      what                     CPU s   per audio s   files   vs arecord");
for (const rate of [256_000, 384_000]) {
  const reference = await arecord(rate);
  const ref = reference / SECONDS;
  console.log(`${rate / 1000} kHz  arecord (reference)     ${reference.toFixed(2).padStart(6)}   ${ref.toFixed(4).padStart(10)}       -        1.0×`);
  for (const withModel of [false, true]) {
    const r = await runner(rate, withModel);
    const per = r.cpu / r.files;
    const what = withModel ? "trigger + model        " : "trigger alone          ";
    console.log(`${rate / 1000} kHz  ${what} ${r.cpu.toFixed(2).padStart(6)}   ${per.toFixed(4).padStart(10)}   ${String(r.files).padStart(5)}   ${(per / ref).toFixed(0).padStart(8)}×   (wall ${r.wall.toFixed(1)} s from start)`);
  }
}
