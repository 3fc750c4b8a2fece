/**
 * @module The reliability rig: a real `detection` deployment driven through the compiled x64
 * binary (built once per source state by test/build/_binaries.ts, or ACOUPI_TEST_BINARY). It
 * makes a temp home, a fake ALSA microphone that the recorder sees through ACOUPI_ALSA_CONFIG,
 * the setup arguments of a busy deployment (short recordings, each running Silero VAD, messages
 * every second), and runs or spawns the binary with its output appended to a log file (so a
 * long run never blocks on a full pipe); `cleanup` kills what it spawned and still runs. Also a
 * seeded random source for tests that must be replayable, and a small polling helper.
 */
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { buildBinary } from "./binaries.ts";
import { REPO } from "./cli.ts";
import { fakeMicConfig } from "./fake-mic.ts";

export const SILERO_MODEL = join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");
export const DEMO_CLIP = join(REPO, "assets/demo-clip.raw");
export const MIC_DEVICE = "relmic";

/** The compiled binary under test: ACOUPI_TEST_BINARY, else the x64 build of this source state. */
export function reliabilityBinary(): string {
  return process.env.ACOUPI_TEST_BINARY || buildBinary("x64");
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Rig {
  /** Temp folder holding everything (home, microphone, logs). */
  dir: string;
  acoupiHome: string;
  env: Record<string, string>;
  /** The raw S16_LE file the fake microphone reads. */
  micRaw: string;
  /** The asoundrc-syntax file ACOUPI_ALSA_CONFIG points at. */
  alsaConfig: string;
  /** Where spawned runners write their stdout and stderr. */
  runLog: string;
  files: {
    metadata: string;
    messages: string;
    tmp: string;
    recordings: string;
    status: string;
    pid: string;
    programJson: string;
  };
  /** Runs the binary to completion. */
  cli(args: string[], extraEnv?: Record<string, string>): RunResult;
  /** Runs the binary to completion without blocking this process (which may serve HTTP to it). */
  cliAsync(args: string[], extraEnv?: Record<string, string>): Promise<RunResult>;
  /** Starts the binary (e.g. `run`) in the background, its output appended to `runLog`. */
  spawn(args: string[], extraEnv?: Record<string, string>): Subprocess;
  /** Points the fake microphone's PCM at `infile` (rewrites the ALSA config file). */
  setMicInfile(infile: string): void;
  cleanup(): void;
}

export interface RigOptions {
  binary: string;
  /** Seconds of microphone audio: the demo clip repeated to cover it. */
  micSeconds?: number;
  /** A parent folder for the temp folder. */
  parent?: string;
  /** Where ACOUPI_HOME goes (e.g. on a small tmpfs); inside the temp folder by default. */
  acoupiHome?: string;
}

/** The demo clip (speech, silence, tone) repeated to at least `seconds`, as raw S16_LE bytes. */
export function demoAudio(seconds: number): Buffer {
  const clip = readFileSync(DEMO_CLIP);
  const repeats = Math.max(1, Math.ceil((seconds * 16000 * 2) / clip.byteLength));
  return Buffer.concat(Array.from({ length: repeats }, () => clip));
}

export function makeRig(options: RigOptions): Rig {
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), "acoupi-rel-"));
  const acoupiHome = options.acoupiHome ?? join(dir, "home", ".acoupi");
  mkdirSync(acoupiHome, { recursive: true });
  const micRaw = join(dir, "mic.raw");
  writeFileSync(micRaw, demoAudio(options.micSeconds ?? 27));
  const alsaConfig = join(dir, "alsa.conf");
  const setMicInfile = (infile: string) => writeFileSync(alsaConfig, fakeMicConfig(MIC_DEVICE, infile));
  setMicInfile(micRaw);
  const runLog = join(dir, "runner.log");
  const env: Record<string, string> = {
    HOME: join(dir, "home"),
    ACOUPI_HOME: acoupiHome,
    ACOUPI_ALSA_CONFIG: alsaConfig,
    ACOUPI_DEVICE_ID: "reliability-0001",
    ACOUPI_SYSTEMD: "0",
    NO_COLOR: "1",
  };
  const storages = join(acoupiHome, "storages");
  // Every process `spawn` started: cleanup kills those still running, so a failed test leaves no runner behind.
  const spawned: Subprocess[] = [];
  const childEnv = (extra: Record<string, string> = {}) => {
    const base: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith("ACOUPI_")) base[key] = value;
    return { ...base, ...env, ...extra };
  };
  return {
    dir,
    acoupiHome,
    env,
    micRaw,
    alsaConfig,
    runLog,
    files: {
      metadata: join(storages, "metadata.db"),
      messages: join(storages, "messages.db"),
      tmp: join(acoupiHome, "tmp"),
      recordings: join(storages, "recordings"),
      status: join(acoupiHome, "run", "status.json"),
      pid: join(acoupiHome, "run", "acoupi.pid"),
      programJson: join(acoupiHome, "config", "program.json"),
    },
    cli(args, extraEnv) {
      const proc = Bun.spawnSync([options.binary, ...args], { env: childEnv(extraEnv), cwd: dir, stdin: "ignore", timeout: 60_000 });
      return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
    },
    async cliAsync(args, extraEnv) {
      const proc = Bun.spawn([options.binary, ...args], { env: childEnv(extraEnv), cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 });
      const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
      return { code: (await proc.exited) ?? -1, stdout, stderr };
    },
    spawn(args, extraEnv) {
      const fd = openSync(runLog, "a");
      try {
        const proc = Bun.spawn([options.binary, ...args], { env: childEnv(extraEnv), cwd: dir, stdin: "ignore", stdout: fd, stderr: fd });
        spawned.push(proc);
        return proc;
      } finally {
        closeSync(fd);
      }
    },
    setMicInfile,
    cleanup() {
      for (const proc of spawned) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BusyOptions {
  mqttPort?: number;
  httpUrl?: string;
  /** Seconds per recording (and between them: back to back); 0.5 by default. */
  recordingSeconds?: number;
  minFreeMb?: number;
  extra?: string[];
}

/** `acoupi setup` arguments of a busy detection deployment on the rig's microphone. */
export function busySetupArgs(options: BusyOptions = {}): string[] {
  const seconds = String(options.recordingSeconds ?? 0.5);
  const args = [
    "setup", "--program", "detection", "--no-prompt",
    "--timezone", "UTC",
    "--microphone.device_name", MIC_DEVICE, "--microphone.samplerate", "16000",
    "--recording.duration", seconds, "--recording.interval", seconds,
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
    "--recording.min_free_mb", String(options.minFreeMb ?? 1),
    "--file_management.interval", "1",
    "--model.kind", "silero_vad", "--model.path", SILERO_MODEL, "--model.window", "0.5",
    "--detections.threshold", "0.5",
    "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "1",
    "--messaging.outbox.backoff_base_s", "1", "--messaging.outbox.backoff_cap_s", "2",
  ];
  if (options.mqttPort !== undefined) args.push("--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", String(options.mqttPort), "--messaging.mqtt.timeout", "2");
  if (options.httpUrl !== undefined) args.push("--messaging.http.base_url", options.httpUrl);
  return [...args, ...(options.extra ?? [])];
}

/**
 * `acoupi setup` arguments of a light `default` deployment (record and file, no model) on the
 * rig's microphone: 0.5 s recordings every second, so each one opens the device anew.
 */
export function recorderSetupArgs(options: { recordingSeconds?: number; intervalSeconds?: number; extra?: string[] } = {}): string[] {
  const seconds = String(options.recordingSeconds ?? 0.5);
  const interval = String(options.intervalSeconds ?? 1);
  return [
    "setup", "--program", "default", "--no-prompt",
    "--timezone", "UTC",
    "--microphone.device_name", MIC_DEVICE, "--microphone.samplerate", "16000",
    "--recording.duration", seconds, "--recording.interval", interval,
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
    "--recording.min_free_mb", "1",
    "--file_management.interval", "1",
    ...(options.extra ?? []),
  ];
}

/** Runs the rig's CLI and throws with its output unless it exits 0. */
export function mustRun(rig: Rig, args: string[], extraEnv?: Record<string, string>): string {
  const result = rig.cli(args, extraEnv);
  if (result.code !== 0) throw new Error(`acoupi ${args.join(" ")} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** `mustRun` for commands that need this process's event loop free (an in-process HTTP server). */
export async function mustRunAsync(rig: Rig, args: string[], extraEnv?: Record<string, string>): Promise<string> {
  const result = await rig.cliAsync(args, extraEnv);
  if (result.code !== 0) throw new Error(`acoupi ${args.join(" ")} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/**
 * `acoupi status --json` parsed, for any of its documented verdicts (its exit code says which, so
 * a degraded or stopped runner is not a failure here); throws on any other exit.
 */
export async function statusJsonAsync<T = Record<string, unknown>>(rig: Rig): Promise<T & { exitCode: number }> {
  const result = await rig.cliAsync(["status", "--json"]);
  if (![0, 3, 4, 5, 6, 7].includes(result.code)) throw new Error(`acoupi status --json exited ${result.code}:\n${result.stdout}${result.stderr}`);
  const report = JSON.parse(result.stdout) as T & { exitCode: number };
  if (report.exitCode !== result.code) throw new Error(`acoupi status --json exited ${result.code} but says ${report.exitCode}`);
  return report;
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** The runner's status file, or null while it has none. */
export function readStatusFile(rig: Rig): { pid: number; state: string; degraded: string[]; components: Record<string, Record<string, unknown>>; tasks: Record<string, { runs: number; failures: number }> } | null {
  // The runner replaces the file atomically (rename), so once it exists it is always whole.
  return existsSync(rig.files.status) ? JSON.parse(readFileSync(rig.files.status, "utf8")) : null;
}

/** Stops a spawned runner with SIGTERM and returns its exit code. */
export async function terminate(proc: Subprocess): Promise<number | null> {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
  await proc.exited;
  return proc.exitCode;
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many recordings the rig's metadata DB holds (read-only, alongside the running runner). */
export function recordingCount(rig: Rig): number {
  if (!existsSync(rig.files.metadata)) return 0;
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    // The runner may be creating the file (WAL setup, migrations): wait for it rather than fail.
    db.run("PRAGMA busy_timeout = 5000");
    const created = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'recordings'").get()?.n ?? 0;
    if (created === 0) return 0;
    return db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM recordings").get()?.n ?? 0;
  } finally {
    db.close();
  }
}
