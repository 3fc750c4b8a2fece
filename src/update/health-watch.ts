/**
 * @module Whether the runner started after an update proves itself healthy before a deadline,
 * judged from disk as `acoupi status` does (pidfile and status file): the runner of the new
 * version must be alive and, when the program records, must have made a recording since the
 * update started (a program without a recording task must be running with nothing degraded).
 * It fails early on a crash: the runner gone (at once without systemd, which would not restart
 * it; after 20 s under systemd, which restarts it every 5 s) or three runner processes seen in a
 * row (a crash loop). The reason names what happened and the runner's last log line.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_FILE, OUTPUT_FILE } from "../system/log-file.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { readLiveRunner } from "../system/pidfile.ts";
import { readStatus, type RunnerStatus } from "../status/status-file.ts";
import { RECORDING_TASK } from "../tasks/names.ts";

export interface WatchOptions {
  paths: AcoupiPaths;
  /** The version the new runner reports. */
  version: string;
  /** When the update started the new runner. */
  since: Date;
  deadlineS: number;
  /** Under systemd a crashed runner is restarted; without it, a runner gone is a failure at once. */
  systemd: boolean;
  pollMs?: number;
}

export type WatchResult = { healthy: true; pid: number } | { healthy: false; reason: string };

const GONE_UNDER_SYSTEMD_MS = 20_000;
const CRASH_LOOP_RUNNERS = 3;

/** The last non-empty line of the runner's own log files, for the reason. */
export function lastLogLine(paths: AcoupiPaths): string | null {
  for (const name of [OUTPUT_FILE, LOG_FILE]) {
    const file = join(paths.logDir, name);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    const lines = text.slice(-4096).split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
    const last = lines[lines.length - 1];
    if (last !== undefined) return last.length > 200 ? `${last.slice(0, 199)}…` : last;
  }
  return null;
}

function statusOrNull(paths: AcoupiPaths): RunnerStatus | null {
  try {
    return readStatus(paths.statusFile);
  } catch (_unreadable) {
    // Replaced between the exists check and the read, or a file from an older runner: look again at the next poll.
    return null;
  }
}

function healthyNow(status: RunnerStatus | null, pid: number, options: WatchOptions): boolean {
  if (status === null || status.pid !== pid || status.version !== options.version || status.state !== "running") return false;
  const recording = status.tasks[RECORDING_TASK];
  if (recording !== undefined) return recording.lastSuccess !== null && new Date(recording.lastSuccess) >= options.since;
  return status.degraded.length === 0;
}

export async function watchHealth(options: WatchOptions): Promise<WatchResult> {
  const poll = options.pollMs ?? 250;
  const started = Date.now();
  const deadline = started + options.deadlineS * 1000;
  const seen: number[] = [];
  let goneSince: number | null = null;
  const why = (what: string) => {
    const line = lastLogLine(options.paths);
    return line === null ? what : `${what}; its last log line: ${line}`;
  };
  while (Date.now() < deadline) {
    const runner = readLiveRunner(options.paths.pidFile);
    if (runner !== null) {
      goneSince = null;
      if (!seen.includes(runner.pid)) seen.push(runner.pid);
      if (seen.length >= CRASH_LOOP_RUNNERS) return { healthy: false, reason: why(`the new runner crash-loops (${seen.length} processes in ${Math.round((Date.now() - started) / 1000)} s)`) };
      if (healthyNow(statusOrNull(options.paths), runner.pid, options)) return { healthy: true, pid: runner.pid };
    } else {
      goneSince ??= Date.now();
      if (!options.systemd || Date.now() - goneSince >= GONE_UNDER_SYSTEMD_MS) {
        return { healthy: false, reason: why(`the new runner (acoupi ${options.version}) exited ${((Date.now() - started) / 1000).toFixed(1)} s after it was started`) };
      }
    }
    await Bun.sleep(poll);
  }
  const status = statusOrNull(options.paths);
  const made = status?.tasks[RECORDING_TASK] !== undefined;
  return {
    healthy: false,
    reason: made ? `the new runner made no recording within ${options.deadlineS} s (update.health_deadline_s)` : `the new runner was not healthy within ${options.deadlineS} s (update.health_deadline_s)${status?.degraded.length ? `: ${status.degraded.join("; ")}` : ""}`,
  };
}
