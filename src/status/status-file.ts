/**
 * @module The runner's status file (`run/status.json`), rewritten atomically every few seconds:
 * task counters, last successes, degraded reasons and component figures. `acoupi status` reads
 * it from another process; nothing is learned over IPC.
 */
import { existsSync } from "node:fs";
import { readJsonFile } from "../system/json-file.ts";
import type { Schedule } from "../scheduler/types.ts";
import type { BootInstant } from "../system/boot-clock.ts";
import { writeFileAtomic } from "../system/atomic-write.ts";

/** The status period when a status file does not say (older runners). */
export const DEFAULT_STATUS_INTERVAL_MS = 10_000;

export interface TaskStatus {
  runs: number;
  failures: number;
  skips: number;
  lastSuccess: string | null;
  lastFailure: string | null;
  lastError: string | null;
  /** Runs in progress when the file was written. */
  running?: number;
  /** The task's schedule, so a reader can tell when the next run is due. */
  schedule?: Schedule | null;
}

export interface RunnerStatus {
  pid: number;
  program: string;
  version: string;
  state: "running" | "stopping" | "stopped";
  startedAt: string;
  updatedAt: string;
  /** `updatedAt` on the boot clock (boot-clock.ts), which NTP cannot step. */
  updatedBoot?: BootInstant | null;
  /** How often the runner rewrites this file; a file older than a few periods means it stopped responding. */
  statusIntervalMs?: number;
  /** Empty when healthy; otherwise short reasons such as "recording: device missing". */
  degraded: string[];
  tasks: Record<string, TaskStatus>;
  /** Figures components report: frames lost, outbox depth, … */
  components: Record<string, Record<string, number | string | null>>;
}

/**
 * Atomic (temp file + rename) but not fsynced: the file is rewritten every few seconds, holds no
 * recording data, and the runner rewrites it as soon as it starts again, so its two fsyncs per
 * write (a third of the idle wake-ups, issue 16) buy nothing.
 */
export function writeStatus(path: string, status: RunnerStatus): void {
  writeFileAtomic(path, `${JSON.stringify(status, null, 2)}\n`, 0o644, { durable: false });
}

export function readStatus(path: string): RunnerStatus | null {
  if (!existsSync(path)) return null;
  return readJsonFile(path) as RunnerStatus;
}
