/**
 * @module Capture benchmark: how fast and how cheaply AlsaRecorder turns a capture device into a
 * WAV file, side by side with `arecord` (alsa-utils) on the same fake microphone, at 48, 192 and
 * 384 kHz. The fake device is faster than real time, so "throughput" is seconds of audio captured
 * per wall-clock second, and "CPU" is CPU milliseconds (user + system, all threads) per second of
 * audio. Each side runs as its own process; acoupi is reported both for the whole process (Bun
 * start-up included, like arecord) and for the `record()` call alone. It prints figures and
 * ratios and asserts nothing. Run: `./node_modules/.bin/bun bench/capture.ts [seconds] [runs]`.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createFakeMic, testSignal } from "../test/helpers/fake-mic.ts";

interface Figures {
  wallMs: number;
  cpuMs: number;
}

interface ChildReport {
  record: Figures;
}

const RATES = [48000, 192000, 384000];

async function child(rate: number, seconds: number, out: string): Promise<void> {
  const { AlsaRecorder } = await import("../src/components/recorders/alsa-recorder.ts");
  const { createDeployment } = await import("../src/data/index.ts");
  const recorder = new AlsaRecorder({
    microphone: { device_name: "fakemic", samplerate: rate, audio_channels: 1, time_expansion: 1 },
    duration: seconds,
    tmpDir: out,
    deviceId: "bench",
    firmwareVersion: "bench",
  });
  const deployment = createDeployment({ name: "bench" });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await recorder.record(deployment);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const report: ChildReport = { record: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 } };
  console.log(JSON.stringify(report));
}

function runProcess(cmd: string[], env: Record<string, string>): { figures: Figures; stdout: string } {
  const t0 = performance.now();
  const proc = Bun.spawnSync(cmd, { env: { ...process.env, ...env }, stderr: "pipe" });
  const wallMs = performance.now() - t0;
  if (proc.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${proc.stderr.toString()}`);
  const usage = proc.resourceUsage;
  const cpuMs = usage === undefined ? NaN : Number(usage.cpuTime.user + usage.cpuTime.system) / 1000;
  return { figures: { wallMs, cpuMs }, stdout: proc.stdout.toString() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

async function main(seconds: number, runs: number): Promise<void> {
  const rows: string[][] = [];
  for (const rate of RATES) {
    const mic = await createFakeMic(testSignal(rate * seconds));
    const out = join(mic.dir, "out");
    await mkdir(out);
    const ours: Figures[] = [];
    const oursRecord: Figures[] = [];
    const theirs: Figures[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        const a = runProcess([process.execPath, import.meta.path, "--child", String(rate), String(seconds), out], mic.env);
        ours.push(a.figures);
        oursRecord.push((JSON.parse(a.stdout.trim().split("\n").at(-1) ?? "{}") as ChildReport).record);
        await rm(out, { recursive: true, force: true });
        await mkdir(out);
        const wav = join(out, "arecord.wav");
        theirs.push(
          runProcess(["arecord", "-q", "-D", mic.device, "-f", "S16_LE", "-r", String(rate), "-c", "1", "-d", String(seconds), wav], mic.env)
            .figures,
        );
        await rm(wav, { force: true });
      }
    } finally {
      await mic.cleanup();
    }
    const summarise = (list: Figures[]): Figures => ({ wallMs: median(list.map((f) => f.wallMs)), cpuMs: median(list.map((f) => f.cpuMs)) });
    const [a, r, t] = [summarise(ours), summarise(oursRecord), summarise(theirs)];
    const speed = (f: Figures): number => seconds / (f.wallMs / 1000);
    const cpuPerSecond = (f: Figures): number => f.cpuMs / seconds;
    rows.push(
      [`${rate / 1000} kHz`, "arecord (process)", fmt(speed(t), 0), fmt(cpuPerSecond(t), 2), "1.00", "1.00"],
      [`${rate / 1000} kHz`, "acoupi (process)", fmt(speed(a), 0), fmt(cpuPerSecond(a), 2), fmt(speed(a) / speed(t), 2), fmt(cpuPerSecond(a) / cpuPerSecond(t), 2)],
      [`${rate / 1000} kHz`, "acoupi (record() only)", fmt(speed(r), 0), fmt(cpuPerSecond(r), 2), fmt(speed(r) / speed(t), 2), fmt(cpuPerSecond(r) / cpuPerSecond(t), 2)],
    );
  }
  const header = ["rate", "tool", "audio s / wall s", "CPU ms / audio s", "speed vs arecord", "CPU vs arecord"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(`Capture of ${seconds} s of mono S16_LE from the fake microphone, median of ${runs} runs (${navigator.hardwareConcurrency} cores)`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log("speed > 1 means acoupi is faster; CPU < 1 means acoupi uses less CPU per second of audio.");
  console.log("acoupi also fsyncs the file and its folder (crash safety); arecord does not, and starts in a few ms.");
}

const args = process.argv.slice(2);
if (args[0] === "--child") await child(Number(args[1]), Number(args[2]), args[3] ?? ".");
else await main(Number(args[0] ?? 20), Number(args[1] ?? 3));
