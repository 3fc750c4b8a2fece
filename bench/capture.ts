/**
 * @module Capture benchmark: how fast and how cheaply AlsaRecorder turns a capture device into a
 * WAV file, side by side with `arecord` (alsa-utils) on the same fake microphone, at 48, 192 and
 * 384 kHz. The fake device is faster than real time, so "throughput" is seconds of audio captured
 * per wall-clock second, and "CPU" is CPU milliseconds (user + system, all threads) per second of
 * audio. Each side runs as its own process; acoupi is reported both for the whole process (Bun
 * start-up included, like arecord) and for the `record()` call alone, with the `.part` synced
 * every second of audio (`recording.flush_s` 1, the default) and with no flush period (the old
 * 256 KiB writes). A last run of each under `strace -f -c` counts the write and sync system calls,
 * scaled to one hour of audio: a sync is at least one write to the SD card; unsynced writes reach
 * the card when the kernel writes dirty pages back (every `vm.dirty_writeback_centisecs`). It
 * prints figures and ratios and asserts nothing.
 * Run: `./node_modules/.bin/bun bench/capture.ts [seconds] [runs]`.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
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
const FLUSHES: Array<[label: string, arg: string]> = [["flush 1 s", "1"], ["no flush", "none"]];

interface Syscalls {
  writes: number;
  syncs: number;
}

/** Write and sync system calls of `cmd` and its threads, counted by strace. */
function syscalls(cmd: string[], env: Record<string, string>): Syscalls | null {
  if (Bun.which("strace") === null) return null; // Debian's strace; the columns then read n/a
  const report = join(tmpdir(), `acoupi-bench-strace-${process.pid}.txt`);
  const proc = Bun.spawnSync(["strace", "-f", "-c", "-o", report, "-e", "trace=write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync", ...cmd], {
    env: { ...process.env, ...env },
    stderr: "pipe",
  });
  if (proc.exitCode !== 0 || !existsSync(report)) return null;
  const calls = new Map<string, number>();
  for (const line of readFileSync(report, "utf8").split("\n")) {
    const cells = line.trim().split(/\s+/);
    const n = Number(cells[3]);
    if (Number.isFinite(n)) calls.set(cells.at(-1) ?? "", n);
  }
  rmSync(report, { force: true });
  // acoupi writes its file at offsets (pwrite64), while Bun's threads signal each other with
  // write() on eventfds; arecord writes its file with write(). So the file's writes are pwrite64
  // when there are any, else write.
  const positioned = (calls.get("pwrite64") ?? 0) + (calls.get("pwritev") ?? 0) + (calls.get("pwritev2") ?? 0);
  return { writes: positioned > 0 ? positioned : (calls.get("write") ?? 0) + (calls.get("writev") ?? 0), syncs: (calls.get("fsync") ?? 0) + (calls.get("fdatasync") ?? 0) };
}

async function child(rate: number, seconds: number, out: string, flushSeconds: number | null): Promise<void> {
  const { AlsaRecorder } = await import("../src/components/recorders/alsa-recorder.ts");
  const { createDeployment } = await import("../src/data/index.ts");
  const recorder = new AlsaRecorder({
    microphone: { device_name: "fakemic", samplerate: rate, audio_channels: 1, time_expansion: 1 },
    duration: seconds,
    tmpDir: out,
    deviceId: "bench",
    firmwareVersion: "bench",
    flushSeconds,
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
  const perHour = 3600 / seconds;
  const hourly = (n: number | undefined): string => (n === undefined ? "n/a" : fmt(n * perHour, 0));
  for (const rate of RATES) {
    const mic = await createFakeMic(testSignal(rate * seconds));
    const out = join(mic.dir, "out");
    await mkdir(out);
    const ours = new Map<string, { process: Figures[]; record: Figures[]; io: Syscalls | null }>();
    const theirs: Figures[] = [];
    let theirsIo: Syscalls | null = null;
    const acoupi = (flush: string): string[] => [process.execPath, import.meta.path, "--child", String(rate), String(seconds), out, flush];
    const arecord = (wav: string): string[] => ["arecord", "-q", "-D", mic.device, "-f", "S16_LE", "-r", String(rate), "-c", "1", "-d", String(seconds), wav];
    const clean = async (): Promise<void> => {
      await rm(out, { recursive: true, force: true });
      await mkdir(out);
    };
    try {
      for (let run = 0; run < runs; run++) {
        for (const [label, flush] of FLUSHES) {
          const entry = ours.get(label) ?? { process: [], record: [], io: null };
          const a = runProcess(acoupi(flush), mic.env);
          entry.process.push(a.figures);
          entry.record.push((JSON.parse(a.stdout.trim().split("\n").at(-1) ?? "{}") as ChildReport).record);
          ours.set(label, entry);
          await clean();
        }
        theirs.push(runProcess(arecord(join(out, "arecord.wav")), mic.env).figures);
        await clean();
      }
      for (const [label, flush] of FLUSHES) {
        const entry = ours.get(label);
        if (entry) entry.io = syscalls(acoupi(flush), mic.env);
        await clean();
      }
      theirsIo = syscalls(arecord(join(out, "arecord.wav")), mic.env);
      await clean();
    } finally {
      await mic.cleanup();
    }
    const summarise = (list: Figures[]): Figures => ({ wallMs: median(list.map((f) => f.wallMs)), cpuMs: median(list.map((f) => f.cpuMs)) });
    const t = summarise(theirs);
    const speed = (f: Figures): number => seconds / (f.wallMs / 1000);
    const cpuPerSecond = (f: Figures): number => f.cpuMs / seconds;
    const row = (tool: string, f: Figures, io: Syscalls | null): string[] => [
      `${rate / 1000} kHz`, tool, fmt(speed(f), 0), fmt(cpuPerSecond(f), 2), fmt(speed(f) / speed(t), 2), fmt(cpuPerSecond(f) / cpuPerSecond(t), 2),
      hourly(io?.writes), hourly(io?.syncs),
    ];
    rows.push(row("arecord (process)", t, theirsIo));
    for (const [label] of FLUSHES) {
      const entry = ours.get(label);
      if (entry === undefined) continue;
      rows.push(row(`acoupi ${label} (process)`, summarise(entry.process), entry.io), row(`acoupi ${label} (record() only)`, summarise(entry.record), null));
    }
  }
  const header = ["rate", "tool", "audio s / wall s", "CPU ms / audio s", "speed vs arecord", "CPU vs arecord", "writes / audio h", "syncs / audio h"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(`Capture of ${seconds} s of mono S16_LE from the fake microphone, median of ${runs} runs (${navigator.hardwareConcurrency} cores)`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  const writeback = existsSync("/proc/sys/vm/dirty_writeback_centisecs") ? Number(readFileSync("/proc/sys/vm/dirty_writeback_centisecs", "utf8")) / 100 : NaN;
  console.log("speed > 1 means acoupi is faster; CPU < 1 means acoupi uses less CPU per second of audio.");
  console.log("acoupi also fsyncs the file and its folder at the end of each file (crash safety); arecord does not, and starts in a few ms.");
  console.log("Writes (to the WAV file) and syncs are system calls counted by strace, per hour of audio; the 1 s flush adds one fdatasync per second of audio (3600/h).");
  console.log(`Unsynced writes reach the card by writeback, at most every ${fmt(writeback, 0)} s (${fmt(3600 / writeback, 0)}/h) while recording in real time.`);
}

const args = process.argv.slice(2);
if (args[0] === "--child") await child(Number(args[1]), Number(args[2]), args[3] ?? ".", args[4] === undefined || args[4] === "none" ? null : Number(args[4]));
else await main(Number(args[0] ?? 20), Number(args[1] ?? 3));
