/**
 * @module What the end-to-end tests do with a deployment (deployment.ts): the `acoupi setup`
 * arguments of a busy and of a light deployment, running commands that must succeed, polling for
 * a condition, read-only views of the status file and the databases (alongside a running runner),
 * stopping a runner, and a seeded random source so a failing run can be replayed.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { CliResult } from "./cli.ts";
import { REPO } from "./cli.ts";
import type { Deployment } from "./deployment.ts";

export const SILERO_MODEL = join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");
/** The ALSA name of every deployment's fake microphone. */
export const MIC_DEVICE = "fakemic";

export interface BusyOptions {
  mqttPort?: number;
  httpUrl?: string;
  /** Seconds per recording (and between them: back to back); 0.5 by default. */
  recordingSeconds?: number;
  minFreeMb?: number;
  extra?: string[];
}

/** `acoupi setup` arguments of a busy detection deployment on the fake microphone. */
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
 * fake microphone: 0.5 s recordings every second, so each one opens the device anew.
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

/** Runs the deployment's CLI and throws with its output unless it exits 0. */
export function mustRun(rig: Deployment, args: string[], extraEnv?: Record<string, string>): string {
  const result = rig.run(args, extraEnv);
  if (result.code !== 0) throw new Error(`acoupi ${args.join(" ")} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** `mustRun` for commands that need this process's event loop free (an in-process HTTP server). */
export async function mustRunAsync(rig: Deployment, args: string[], extraEnv?: Record<string, string>): Promise<string> {
  const result = await rig.runAsync(args, extraEnv);
  if (result.code !== 0) throw new Error(`acoupi ${args.join(" ")} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/**
 * `acoupi status --json` parsed, for any of its documented verdicts (its exit code says which, so
 * a degraded or stopped runner is not a failure here); throws on any other exit.
 */
export async function statusJsonAsync<T = Record<string, unknown>>(rig: Deployment): Promise<T & { exitCode: number }> {
  const result = await rig.runAsync(["status", "--json"]);
  if (![0, 3, 4, 5, 6, 7].includes(result.code)) throw new Error(`acoupi status --json exited ${result.code}:\n${result.stdout}${result.stderr}`);
  const report = JSON.parse(result.stdout) as T & { exitCode: number };
  if (report.exitCode !== result.code) throw new Error(`acoupi status --json exited ${result.code} but says ${report.exitCode}`);
  return report;
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined, null or false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** The runner's status file, or null while it has none. */
export function readStatusFile(rig: Deployment): { pid: number; state: string; degraded: string[]; components: Record<string, Record<string, unknown>>; tasks: Record<string, { runs: number; failures: number }> } | null {
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
export function recordingCount(rig: Deployment): number {
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

/** The number of rows a query returns, or 0 while the database or its tables do not exist yet. */
export function countRows(dbPath: string, sql: string): number {
  if (!existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000"); // the runner may be creating the schema right now
    return (db.query(`SELECT count(*) AS n FROM (${sql})`).get() as { n: number }).n;
  } catch (error) {
    if (error instanceof Error && /no such table/.test(error.message)) return 0;
    throw error;
  } finally {
    db.close();
  }
}

/** Failure text for a CLI result, so a failed expectation shows what the command said. */
export function said(result: CliResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}
