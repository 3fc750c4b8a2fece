/**
 * @module How `acoupi status` judges the runner, from disk alone: the pidfile (is the process
 * ours and alive?), the deployment file (should one be running?) and the status file (when did it
 * last write, and how are its tasks?). A status file older than STALE_PERIODS of its own period
 * means the runner stopped responding (frozen, or stuck in a write to a dying card); an active
 * deployment without a live runner that did not stop cleanly means it crashed. Each verdict has its
 * own exit code, like `systemctl status`, so scripts can act on it (see docs/install.md).
 */
import { statSync } from "node:fs";
import { isSetUp, readProgramName } from "../config/config-file.ts";
import { RECORDING_TASK } from "../tasks/names.ts";
import { bootInstant, type BootInstant } from "../system/boot-clock.ts";
import { readDeployment } from "../system/deployment-file.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { readLiveRunner } from "../system/pidfile.ts";
import { DEFAULT_STATUS_INTERVAL_MS, readStatus, type RunnerStatus } from "./status-file.ts";

/** A status file older than this many of its periods means the runner is not responding. */
export const STALE_PERIODS = 3;
/** How long a runner may take to write its first status (loading a model, reconciling). */
export const START_GRACE_MS = 60_000;

export type Health = "ok" | "degraded" | "stopped" | "crashed" | "not responding" | "not set up";

/** `acoupi status` exit codes, documented in docs/install.md. */
export const STATUS_EXIT: Record<Health, number> = {
  ok: 0,
  stopped: 3,
  "not set up": 4,
  degraded: 5,
  crashed: 6,
  "not responding": 7,
};

export interface StatusReport {
  setUp: boolean;
  program: string | null;
  deployment: { active: boolean; id: string; name: string; started_on: string; ended_on: string | null; latitude: number | null; longitude: number | null } | null;
  runner: {
    running: boolean;
    pid: number | null;
    /** Seconds since the runner last wrote its status file; null without one. */
    statusAgeSeconds: number | null;
  };
  health: Health;
  degraded: string[];
  recording: { last: string | null; next: string | null; pausedBy: string | null };
  /** The last status the runner wrote, kept when it is no longer running (crashed, stopped). */
  status: RunnerStatus | null;
}

function failingTasks(status: RunnerStatus | null): string[] {
  return Object.entries(status?.tasks ?? {})
    .filter(([, t]) => t.lastFailure !== null && (t.lastSuccess === null || t.lastFailure > t.lastSuccess))
    .map(([name, t]) => `${name}: ${t.lastError ?? "failed"}`);
}

/** The last successful recording and when the next one is due, from the status file. */
function recordingTimes(status: RunnerStatus | null, live: boolean, now: Date): StatusReport["recording"] {
  const figures = status?.components.recording ?? {};
  const last = typeof figures.last_recording === "string" ? figures.last_recording : null;
  const pausedBy = typeof figures.paused_by === "string" ? figures.paused_by : null;
  const schedule = status?.tasks[RECORDING_TASK]?.schedule;
  let next: string | null = null;
  if (live && pausedBy === null && schedule && "every" in schedule) {
    const base = last === null ? now.getTime() : Date.parse(last) + schedule.every * 1000;
    next = new Date(Math.max(base, now.getTime())).toISOString();
  }
  return { last, next, pausedBy };
}

/**
 * How old the status is: on the boot clock when the runner wrote it in this boot (immune to NTP
 * steps either way), else on the wall clock, where a file from the future counts as fresh.
 */
function statusAgeMs(status: RunnerStatus | null, now: Date, boot: BootInstant | null): number | null {
  const written = status?.updatedBoot;
  if (written && boot && written.bootId === boot.bootId) return Math.max(0, (boot.uptimeS - written.uptimeS) * 1000);
  if (status?.updatedAt === undefined) return null;
  const t = Date.parse(status.updatedAt);
  return Number.isNaN(t) ? null : Math.max(0, now.getTime() - t);
}

/** Modification age of the pidfile: how long the runner has been starting when it has no status yet. */
function pidfileAgeMs(paths: AcoupiPaths, now: Date): number {
  return Math.max(0, now.getTime() - statSync(paths.pidFile).mtimeMs);
}

export function judgeStatus(paths: AcoupiPaths, now: Date = new Date(), boot: BootInstant | null = bootInstant()): StatusReport {
  const setUp = isSetUp(paths);
  const deployment = readDeployment(paths);
  const active = deployment !== null && deployment.ended_on === null;
  const runner = readLiveRunner(paths.pidFile);
  const status = readStatus(paths.statusFile);
  const ours = runner !== null && status?.pid === runner.pid;
  const age = ours ? statusAgeMs(status, now, boot) : null;
  const periodMs = status?.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;

  let health: Health;
  let reasons: string[] = [];
  if (!setUp) {
    health = "not set up";
  } else if (runner !== null) {
    if (!ours) {
      health = pidfileAgeMs(paths, now) > START_GRACE_MS ? "not responding" : "ok";
      if (health === "not responding") reasons.push(`the runner (pid ${runner.pid}) has written no status since it started`);
    } else if (age !== null && age > STALE_PERIODS * periodMs) {
      health = "not responding";
      reasons.push(`the runner (pid ${runner.pid}) last wrote its status ${Math.round(age / 1000)} s ago (every ${periodMs / 1000} s)`);
    } else {
      reasons = [...(status?.degraded ?? []), ...failingTasks(status)];
      health = reasons.length > 0 ? "degraded" : "ok";
    }
  } else if (active && status?.state !== "stopped") {
    health = "crashed";
    reasons.push(status === null ? "the deployment is active but no runner is running" : `the deployment is active but its runner (pid ${status.pid}) is gone without stopping`);
  } else {
    health = "stopped";
  }

  return {
    setUp,
    program: setUp ? readProgramName(paths) : null,
    deployment: deployment && {
      active,
      id: deployment.id,
      name: deployment.name,
      started_on: deployment.started_on.toISOString(),
      ended_on: deployment.ended_on?.toISOString() ?? null,
      latitude: deployment.latitude,
      longitude: deployment.longitude,
    },
    runner: { running: runner !== null, pid: runner?.pid ?? null, statusAgeSeconds: age === null ? null : Math.round(age / 100) / 10 },
    health,
    degraded: reasons,
    recording: recordingTimes(status, ours && health !== "not responding", now),
    status,
  };
}
