/**
 * @module Benchmark: our side of issue 16's table in one command, on the compiled x64 binary. It
 * measures `acoupi --help` (median of 15 runs), `acoupi stop`, the CPU time, wake-ups and mean RSS
 * of the `default` program (48 kHz, 3 s every 10 s, fake microphone) over a window (180 s by
 * default), onnxruntime-web WASM against native onnxruntime-node on the BirdNET-shaped model of
 * bench/inference.ts (1 thread, alternating children, median of their medians), and the peak RSS
 * of the compiled runner with that model loaded in the `detection` program. The CPU window runs
 * RUNNERS deployments per group at the same time, each in its own home with its own copy of the
 * binary, so that the machine's noise hits them alike, and reports their median. The groups:
 * runners started by `acoupi start` (its child `acoupi run`, which is what the systemd service
 * runs), runners started by `acoupi start --foreground`, idle runners (outside their recording
 * schedule) for the idle wake-ups, and with `--reference <binary>` the first two again on another
 * build (e.g. main's) for a before/after under the same load. CPU is process CPU time (utime +
 * stime of /proc/<pid>/stat, all threads, dead ones included); wake-ups are context switches of
 * all threads from `perf stat` (when perf works here). Then it prints the ratios against the
 * Python acoupi 0.6 figures stored below (measured on this kind of machine, issue 16) and against
 * native ORT
 * from the same run. It asserts nothing.
 *
 *   ./node_modules/.bin/bun bench/side-by-side.ts [--window 180] [--runners 3] [--warmup 30] [--inference-reps 3] [--no-inference]
 *     [--reference <another acoupi binary>]
 */
import { copyFileSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../test/helpers/binaries.ts";
import { testSignal } from "../test/helpers/fake-mic.ts";
import { benchHome, median, type BenchHome } from "./deployment.ts";
import { inference } from "./_side-by-side-inference.ts";
import { ALWAYS } from "./model-memory.ts";

/** Python acoupi 0.6 (two Celery workers + beat + RabbitMQ), same schedule, same machine (issue 16). */
const PYTHON = { helpS: 0.49, stopS: 9.6, cpuS: 1.54, rssMib: 361 } as const;
/** Issue 16's goals, with issue 26's for the runner's own CPU and RSS (on every start path). */
const GOALS = { cpuS: 0.15, rssMib: 45, wasmRatio: 2, peakMb: 200, wakeupsPerS: 1 } as const;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** utime + stime of the whole process (every thread, including threads that have ended), in s. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/** Resident set size from smaps_rollup, in MiB. */
function rssMib(pid: number): number {
  const kb = Number(/^Rss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? NaN);
  return kb / 1024;
}

interface PerfCounts {
  contextSwitches: number;
  taskClockMs: number;
}

/** `perf stat` on `pid` until stopped; null results when perf cannot attach here. */
function perfStat(pid: number): { stop(): Promise<PerfCounts | null> } {
  const out = join(tmpdir(), `acoupi-perf-${pid}-${Date.now()}.csv`);
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  try {
    proc = Bun.spawn(["perf", "stat", "-x,", "-o", out, "-e", "context-switches,task-clock", "-p", String(pid)], { stdout: "ignore", stderr: "ignore" });
  } catch (error) {
    console.log(`  (perf stat unavailable: ${error instanceof Error ? error.message : String(error)})`);
  }
  return {
    async stop() {
      if (proc === null) return null;
      proc.kill("SIGINT");
      await proc.exited;
      try {
        const text = readFileSync(out, "utf8");
        const value = (event: string) => Number(text.split("\n").find((l) => l.includes(event))?.split(",")[0] ?? NaN);
        return { contextSwitches: value("context-switches"), taskClockMs: value("task-clock") };
      } catch (error) {
        console.log(`  (perf stat wrote nothing: ${error instanceof Error ? error.message : String(error)})`);
        return null;
      } finally {
        rmSync(out, { force: true });
      }
    },
  };
}

interface WindowResult {
  cpuS: number;
  meanRssMib: number;
  maxRssMib: number;
  wakeupsPerS: number;
  /** perf's task clock over the window, scaled like cpuS (NaN without perf). */
  taskClockS: number;
  stopS: number;
}

/** How a runner is started: `acoupi start` (its child `acoupi run`, as the service runs it) or `acoupi start --foreground`. */
type StartPath = "start" | "foreground";

/** A deployment's home and the copy of the binary it runs. */
type RunnerHome = BenchHome & { binary: string };

/** A group of runners measured together: one binary, one start path, recording or idle. */
interface Group {
  label: string;
  binary: string;
  path: StartPath;
  idle: boolean;
}

/**
 * A default deployment on its own copy of the binary. Runners of one file share its page cache,
 * and the runner gives back its start-up pages only where no other process maps them, so a copy
 * per runner is what one runner on a Pi sees.
 */
async function defaultDeployment(binary: string, copyDir: string, name: string, idle: boolean): Promise<RunnerHome> {
  const copy = join(copyDir, `acoupi-${name}`);
  copyFileSync(binary, copy);
  const home = await benchHome(copy, testSignal(48000 * 4));
  // Idle: a schedule that never includes now, so the recording task only checks its condition.
  const hour = (new Date().getUTCHours() + 12) % 24;
  const schedule = idle ? ["--timezone", "UTC", "--recording.schedule_start", `${String(hour).padStart(2, "0")}:00:00`, "--recording.schedule_end", `${String(hour).padStart(2, "0")}:00:01`] : [];
  home.run(["setup", "--program", "default", "--no-prompt", "--microphone.device_name", home.mic.device, "--microphone.samplerate", "48000",
    "--recording.duration", "3", "--recording.interval", "10", ...ALWAYS, ...schedule]);
  return { ...home, binary: copy };
}

interface Started {
  home: RunnerHome;
  pid: number;
  /** The `start --foreground` process (the runner itself), which the bench must reap. */
  foreground: ReturnType<typeof Bun.spawn> | null;
}

/** Starts a runner the way `path` says; resolves once its pidfile names it. */
async function startRunner(home: RunnerHome, path: StartPath, name: string): Promise<Started> {
  if (path === "start") {
    home.run(["start", "--name", name, "--no-check"]);
    const pid = home.runnerPid();
    if (pid === null) throw new Error("a runner wrote no pidfile");
    return { home, pid, foreground: null };
  }
  const proc = Bun.spawn([home.binary, "start", "--foreground", "--name", name, "--no-check"], {
    env: { ...process.env, ...home.env }, cwd: home.home.home, stdin: "ignore", stdout: "ignore", stderr: "ignore",
  });
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (home.runnerPid() === proc.pid) return { home, pid: proc.pid, foreground: proc };
    if (proc.exitCode !== null) break;
    await Bun.sleep(50);
  }
  throw new Error(`start --foreground did not write its pidfile (exit ${proc.exitCode})`);
}

/**
 * Starts `runners` deployments of every group, waits `warmupS`, measures `windowS` (all runners
 * at the same time), then times each stop.
 */
async function cpuWindow(groups: Group[], runners: number, warmupS: number, windowS: number): Promise<WindowResult[][]> {
  const started: Started[] = [];
  const copyDir = mkdtempSync(join(tmpdir(), "acoupi-side-by-side-bin-"));
  try {
    for (const [g, group] of groups.entries()) {
      for (let i = 0; i < runners; i++) {
        const home = await defaultDeployment(group.binary, copyDir, `${g}-${i}`, group.idle);
        started.push(await startRunner(home, group.path, `side-by-side-${g}-${i}`));
      }
    }
    const pids = started.map((s) => s.pid);
    await Bun.sleep(warmupS * 1000);
    const cpu0 = pids.map(cpuSeconds);
    const perfs = pids.map(perfStat);
    const rss: number[][] = pids.map(() => []);
    const t0 = performance.now();
    while (performance.now() - t0 < windowS * 1000) {
      pids.forEach((pid, i) => rss[i]?.push(rssMib(pid)));
      await Bun.sleep(Math.min(5000, Math.max(0, windowS * 1000 - (performance.now() - t0))));
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu1 = pids.map(cpuSeconds);
    const counts = await Promise.all(perfs.map((p) => p.stop()));
    const results: WindowResult[] = [];
    for (const [i, runner] of started.entries()) {
      const samples = rss[i] ?? [];
      const stopS = runner.home.run(["stop"]).ms / 1000;
      await runner.foreground?.exited;
      results.push({
        cpuS: (((cpu1[i] as number) - (cpu0[i] as number)) * windowS) / elapsedS,
        meanRssMib: samples.reduce((a, b) => a + b, 0) / samples.length,
        maxRssMib: Math.max(...samples),
        wakeupsPerS: (counts[i]?.contextSwitches ?? NaN) / elapsedS,
        taskClockS: ((counts[i]?.taskClockMs ?? NaN) / 1000) * (windowS / elapsedS),
        stopS,
      });
    }
    return groups.map((_, g) => results.slice(g * runners, (g + 1) * runners));
  } finally {
    for (const runner of started) {
      runner.foreground?.kill("SIGKILL");
      await runner.home.cleanup();
    }
    rmSync(copyDir, { recursive: true, force: true });
  }
}

function helpSeconds(binary: string, runs = 15): number {
  const once = () => {
    const t0 = performance.now();
    const proc = Bun.spawnSync([binary, "--help"], { stdout: "ignore", stderr: "ignore", env: { ...process.env, NO_COLOR: "1" } });
    if (proc.exitCode !== 0) throw new Error(`${binary} --help exited ${proc.exitCode}`);
    return (performance.now() - t0) / 1000;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
const list = (values: number[], digits: number) => `[${values.map((v) => v.toFixed(digits)).join(", ")}]`;

function option(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? null) : null;
}

/** Median CPU (scaled to 180 s) and mean RSS of a group, with the values behind them. */
function summary(windows: WindowResult[], windowS: number): { cpu180: number; rss: number; text: string } {
  const cpu180 = (median(windows.map((w) => w.cpuS)) * 180) / windowS;
  const rss = median(windows.map((w) => w.meanRssMib));
  const text = `CPU ${cpu180.toFixed(3)} s ${list(windows.map((w) => (w.cpuS * 180) / windowS), 3)}; RSS mean ${rss.toFixed(1)} MiB ${list(windows.map((w) => w.meanRssMib), 1)}, max ${list(windows.map((w) => w.maxRssMib), 1)}`;
  return { cpu180, rss, text };
}

async function main(): Promise<void> {
  const windowS = flag("--window", 180);
  const runners = flag("--runners", 3);
  // The runner gives back its start-up pages 20 s after it is ready (release-startup-pages.ts).
  const warmupS = flag("--warmup", 30);
  const reps = flag("--inference-reps", 3);
  // Another build (e.g. main's) measured in the same window: a before/after under the same load.
  const reference = option("--reference");
  const binary = buildBinary("x64");
  console.log(`Compiled binary: ${binary}; bun ${Bun.version}; ${navigator.hardwareConcurrency} CPUs${reference === null ? "" : `; reference binary ${reference}`}`);
  console.log(`Default program, 3 s at 48 kHz every 10 s on the fake microphone; ${runners} runners per group side by side, ${warmupS} s warm-up, ${windowS} s window\n`);

  const help = helpSeconds(binary);
  const groups: Group[] = [
    { label: "acoupi start (its child `acoupi run`, as the service runs it)", binary, path: "start", idle: false },
    { label: "acoupi start --foreground", binary, path: "foreground", idle: false },
    { label: "idle (outside the schedule), acoupi start", binary, path: "start", idle: true },
  ];
  if (reference !== null) {
    groups.push({ label: "reference: acoupi start", binary: reference, path: "start", idle: false });
    groups.push({ label: "reference: acoupi start --foreground", binary: reference, path: "foreground", idle: false });
  }
  const results = await cpuWindow(groups, runners, warmupS, windowS);
  const [windows, foreground, idle] = results as [WindowResult[], WindowResult[], WindowResult[]];
  const { cpu180, rss } = summary(windows, windowS);
  const fg = summary(foreground, windowS);
  const stop = median(windows.map((w) => w.stopS));
  const wakeups = median(windows.map((w) => w.wakeupsPerS));
  const idleWakeups = median(idle.map((w) => w.wakeupsPerS));
  const idleCpu = (median(idle.map((w) => w.cpuS)) * 180) / windowS;
  const inf = process.argv.includes("--no-inference") ? null : await inference(binary, reps);

  const rows: string[][] = [
    ["measure", "Python acoupi + broker", "this project (median)", "ratio", "goal", ""],
    ["`--help`", `${PYTHON.helpS} s`, `${help.toFixed(3)} s`, `${(PYTHON.helpS / help).toFixed(1)}× less`, "keep", ""],
    ["stop", `${PYTHON.stopS} s`, `${stop.toFixed(3)} s ${list(windows.map((w) => w.stopS), 3)}`, `${(PYTHON.stopS / stop).toFixed(0)}× less`, "keep", ""],
    ["CPU in the 180 s window, `acoupi start`", `${PYTHON.cpuS} s`, `${cpu180.toFixed(3)} s ${list(windows.map((w) => (w.cpuS * 180) / windowS), 3)}`,
      `${(PYTHON.cpuS / cpu180).toFixed(1)}× less`, `≤ ${GOALS.cpuS.toFixed(2)} s`, verdict(cpu180 <= GOALS.cpuS)],
    ["CPU in the 180 s window, `start --foreground`", `${PYTHON.cpuS} s`, `${fg.cpu180.toFixed(3)} s ${list(foreground.map((w) => (w.cpuS * 180) / windowS), 3)}`,
      `${(PYTHON.cpuS / fg.cpu180).toFixed(1)}× less`, `≤ ${GOALS.cpuS.toFixed(2)} s`, verdict(fg.cpu180 <= GOALS.cpuS)],
    ["wake-ups (context switches, all threads), recording every 10 s", "–", `${wakeups.toFixed(2)}/s ${list(windows.map((w) => w.wakeupsPerS), 2)}`, "", "", ""],
    ["wake-ups while idle (outside the schedule)", "–", `${idleWakeups.toFixed(2)}/s ${list(idle.map((w) => w.wakeupsPerS), 2)}; CPU ${idleCpu.toFixed(3)} s per 180 s`, "",
      `≤ ${GOALS.wakeupsPerS}/s`, verdict(idleWakeups <= GOALS.wakeupsPerS)],
    ["RSS of the runner, mean, `acoupi start`", `${PYTHON.rssMib} MiB`, `${rss.toFixed(1)} MiB = ${(rss * 1.048576).toFixed(1)} MB ${list(windows.map((w) => w.meanRssMib), 1)}`,
      `${(PYTHON.rssMib / rss).toFixed(1)}× less`, `≤ ${GOALS.rssMib} MiB`, verdict(rss <= GOALS.rssMib)],
    ["RSS of the runner, mean, `start --foreground`", `${PYTHON.rssMib} MiB`, `${fg.rss.toFixed(1)} MiB = ${(fg.rss * 1.048576).toFixed(1)} MB ${list(foreground.map((w) => w.meanRssMib), 1)}`,
      `${(PYTHON.rssMib / fg.rss).toFixed(1)}× less`, `≤ ${GOALS.rssMib} MiB`, verdict(fg.rss <= GOALS.rssMib)],
  ];
  if (inf !== null) {
    const ratio = inf.wasmMs / inf.nativeMs;
    rows.push(
      ["ONNX WASM, BirdNET-size, 1 thread, vs native", "–", `${inf.wasmMs.toFixed(0)} ms vs ${inf.nativeMs.toFixed(0)} ms ${list(inf.wasmRuns, 0)} / ${list(inf.nativeRuns, 0)}`,
        `${ratio.toFixed(2)}× slower`, `≤ ${GOALS.wasmRatio}×`, verdict(ratio <= GOALS.wasmRatio)],
      ["RSS peak with a BirdNET-size model (runner)", "–", `${inf.runnerPeakMb.toFixed(0)} MB (${inf.runnerRssMb.toFixed(0)} after the first output; ${inf.modelMb.toFixed(0)} MB model)`,
        "", `≤ ${GOALS.peakMb} MB`, verdict(inf.runnerPeakMb <= GOALS.peakMb)],
    );
  }
  for (const [i, row] of rows.entries()) {
    console.log(`| ${row.join(" | ")} |`);
    if (i === 0) console.log(`|${row.map(() => "---").join("|")}|`);
  }
  console.log(`\nCPU is utime+stime over the window, scaled to 180 s; perf's task clock over the same window: ${list(windows.map((w) => (w.taskClockS * 180) / windowS), 3)} s`);
  console.log("\nEvery group, measured in the same window:");
  for (const [g, group] of groups.entries()) console.log(`  ${group.label}: ${summary(results[g] ?? [], windowS).text}`);
}

if (import.meta.main) await main();
