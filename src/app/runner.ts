/**
 * @module The runner: one process that drives the active deployment. It takes the run lock
 * (held until it exits, so no second runner can start), writes the pidfile, instantiates the
 * program, starts the in-process scheduler, rewrites the status file every few seconds, keeps the
 * systemd watchdog fed while the scheduler turns and the program makes progress (progress-watch.ts),
 * and on SIGTERM/SIGINT (also while it starts) drains the running tasks, has the program's last
 * word (sending what is queued, within the deadlines of stop-deadlines.ts), closes the stores and
 * exits 0. SIGTERM keeps the deployment active, so a later `acoupi run` resumes it; `acoupi stop`
 * is what ends it.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { logToFile } from "../log.ts";
import { bootInstant } from "../system/boot-clock.ts";
import { LOG_FILE, outputFileCap, RotatingLogFile } from "../system/log-file.ts";
import { routeConsoleToLogger } from "./console-to-log.ts";
import { LAST_SEND_DEADLINE_MS, STOP_KILL_GRACE_MS, STOP_MARGIN_MS } from "./stop-deadlines.ts";
import { DeploymentError } from "../errors.ts";
import { FILE_MANAGEMENT_TASK, RECORDING_TASK } from "../tasks/names.ts";
import type { ProgramDefinition, ProgramDeps } from "../programs/types.ts";
import { instantiateProgram } from "../programs/define-program.ts";
import { programSections, type ProgramSections } from "../programs/program-sections.ts";
import type { Schedule, TaskEventListener } from "../scheduler/types.ts";
import { activeDeployment } from "../system/deployment-file.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { readLiveRunner, removePidfile, writePidfile } from "../system/pidfile.ts";
import { ProgressWatch, stallIntervalsFromEnv } from "./progress-watch.ts";
import { acquireRunLock, type RunLock } from "../system/run-lock.ts";
import { writeRunnerConfig } from "./runner-config.ts";
import { buildScheduler } from "./build-scheduler.ts";
import { DEFAULT_STATUS_INTERVAL_MS, writeStatus, type RunnerStatus, type TaskStatus } from "../status/status-file.ts";
import type { WebServer } from "../web/server.ts";

export interface RunnerOptions {
  paths: AcoupiPaths;
  programName: string;
  definition: ProgramDefinition;
  config: unknown;
  deps: ProgramDeps;
  /** Status file period; ACOUPI_STATUS_INTERVAL (seconds) or 10 s by default. */
  statusIntervalMs?: number;
  /** How long to wait for running tasks on stop; default 10 s. */
  graceMs?: number;
  /** Called once the scheduler is running (used by systemd notify). */
  onReady?: () => void;
  /**
   * Called on each status write: healthy when the scheduler's loop turns and the program makes
   * progress (see progress-watch.ts), else false with the reason (used by the watchdog).
   */
  onHeartbeat?: (healthy: boolean, reason: string | null) => void;
  /** Intervals without progress that make a stall; ACOUPI_STALL_INTERVALS or 3 by default. */
  stallIntervals?: number;
  /** Called once on SIGTERM/SIGINT, before the tasks drain (used by systemd notify). */
  onStopping?: () => void;
  /** The run lock when the caller already holds it (`start --foreground`); taken here otherwise. */
  lock?: RunLock;
}

/** How long a runner waits for the run lock while a non-runner (a starting `acoupi start`) holds it. */
const LOCK_WAIT_MS = 10_000;

/** Takes the run lock, failing at once when a live runner holds it. */
async function takeRunLock(paths: AcoupiPaths): Promise<RunLock> {
  const runningAs = () => {
    const other = readLiveRunner(paths.pidFile);
    if (other !== null && other.pid !== process.pid) {
      throw new DeploymentError(`acoupi is already running as process ${other.pid}`, { help: "Run `acoupi status` to see it, or `acoupi stop` to end it" });
    }
  };
  const lock = await acquireRunLock(paths.lockFile, LOCK_WAIT_MS, runningAs);
  if (lock === null) {
    throw new DeploymentError(`Another acoupi process holds ${paths.lockFile}`, { help: "Wait for the other `acoupi start` or `acoupi run` to finish, then run `acoupi status`" });
  }
  return lock;
}

function everySeconds(schedule: Schedule | undefined): number | null {
  return schedule !== undefined && "every" in schedule ? schedule.every : null;
}

function isoOrNull(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** ACOUPI_STATUS_INTERVAL: the status period in seconds (at least 0.1), or null when unset or invalid. */
function statusIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const seconds = Number(env.ACOUPI_STATUS_INTERVAL ?? "");
  return Number.isFinite(seconds) && seconds >= 0.1 ? Math.round(seconds * 1000) : null;
}

/** `work`'s value, or null when a stop signal comes first (the work is then abandoned). */
function unlessStopped<T>(work: Promise<T>, stopped: Promise<string>): Promise<T | null> {
  return Promise.race([work, stopped.then(() => null)]);
}

/** Runs until SIGTERM or SIGINT; resolves with the exit code. */
export async function runDeployment(options: RunnerOptions): Promise<number> {
  const { paths, deps } = options;
  // A section acoupi reads that is malformed or renamed stops the start here, before anything is written.
  const sections = programSections(options.config, { program: options.programName });
  const lock = options.lock ?? (await takeRunLock(paths));
  logToFile(() => new RotatingLogFile(join(paths.logDir, LOG_FILE)));
  // What a program prints goes through the logger (rotated); what still bypasses it (raw writes,
  // libasound) goes to runner-output.log, which is rotated at each status write.
  routeConsoleToLogger(deps.logger.withTag("program"));
  const capOutput = outputFileCap();
  // Whoever held the lock before us is gone, so any pidfile left is stale: ours replaces it.
  const deployment = activeDeployment(paths);
  if (!deployment) {
    lock.release();
    throw new DeploymentError("No active deployment to run", { help: "Run `acoupi start --name <name>` to start one" });
  }
  // Handlers go in before the pidfile appears: a SIGTERM sent as soon as `stop` sees the pidfile
  // must drain and exit 0, not kill the process mid-start.
  const stopped = new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  mkdirSync(paths.runDir, { recursive: true });
  writePidfile(paths.pidFile);
  // `acoupi stop` ends the deployment with this config, whatever program.json says by then.
  writeRunnerConfig(paths, { program: options.programName, config: options.config, deployment_id: deployment.id });

  // A SIGTERM before the program is up (a setup or start hook that never finishes) stops the
  // runner as it stops a ready one, instead of leaving `stop` to SIGKILL it.
  const abandonStart = async (closing: Promise<void> | null): Promise<number> => {
    deps.logger.warn("Received a stop signal while starting: stopping without finishing the start");
    if (closing !== null) await Promise.race([closing.catch((error: unknown) => deps.logger.error("Closing the program failed:", error)), Bun.sleep(options.graceMs ?? 10_000)]);
    removePidfile(paths.pidFile);
    lock.release();
    return 0;
  };
  const program = await unlessStopped(instantiateProgram(options.definition, options.config, deps), stopped);
  if (program === null) return abandonStart(null);
  const scheduler = buildScheduler(program, deps, sections);

  const startedAt = new Date().toISOString();
  let webProblem: string | null = null;
  const statusIntervalMs = options.statusIntervalMs ?? statusIntervalFromEnv() ?? DEFAULT_STATUS_INTERVAL_MS;
  const watch = new ProgressWatch({
    recordingEvery: everySeconds(program.context.task(RECORDING_TASK)?.schedule),
    filingEvery: everySeconds(program.context.task(FILE_MANAGEMENT_TASK)?.schedule),
    stallIntervals: options.stallIntervals ?? stallIntervalsFromEnv(),
    minStallMs: 2 * statusIntervalMs,
  });
  program.context.onStatus("progress", () => watch.status());
  let state: RunnerStatus["state"] = "running";
  let lastComponents: ReturnType<typeof program.context.collectStatus> = { degraded: [], components: {} };
  const snapshot = (): RunnerStatus => {
    const tasks: Record<string, TaskStatus> = {};
    for (const [name, s] of Object.entries(scheduler.stats())) {
      tasks[name] = {
        runs: s.runs,
        failures: s.failures,
        skips: s.skips,
        lastSuccess: isoOrNull(s.lastSuccess),
        lastFailure: isoOrNull(s.lastFailure),
        lastError: s.lastError,
        running: s.running,
        schedule: program.context.task(name)?.schedule ?? null,
      };
    }
    // After the program closed, its components (stores, outbox) can no longer be asked: keep their last figures.
    if (state === "running") {
      // The watch judges the fresh figures; collecting again puts its verdict beside them.
      watch.observe(program.context.collectStatus().components);
      lastComponents = program.context.collectStatus();
    } else if (state === "stopping") {
      lastComponents = program.context.collectStatus();
    }
    const degraded = [...lastComponents.degraded];
    const components = lastComponents.components;
    if (!scheduler.healthy()) degraded.push("scheduler: stalled");
    if (webProblem !== null) degraded.push(webProblem);
    return {
      pid: process.pid,
      program: options.programName,
      version: deps.version,
      state,
      startedAt,
      updatedAt: new Date().toISOString(),
      updatedBoot: bootInstant(),
      statusIntervalMs,
      degraded,
      tasks,
      components,
    };
  };
  const publish = () => {
    try {
      capOutput?.();
    } catch (error) {
      deps.logger.error("Rotating runner-output.log failed:", error);
    }
    try {
      writeStatus(paths.statusFile, snapshot());
      const healthy = scheduler.healthy() && watch.progressing;
      options.onHeartbeat?.(healthy, healthy ? null : scheduler.healthy() ? (watch.status().degraded ?? null) : "the scheduler is stalled");
    } catch (error) {
      deps.logger.error("Writing the status file failed:", error);
    }
  };

  try {
    const started = await unlessStopped(program.start(deployment).then(() => true), stopped);
    if (started === null) return abandonStart(program.close());
    scheduler.start();
  } catch (error) {
    await program.close();
    removePidfile(paths.pidFile);
    lock.release();
    throw error;
  }
  deps.logger.info(`Running program ${options.definition.name} for deployment "${deployment.name}" (pid ${process.pid})`);
  const web = await startWeb(options, sections, (listener) => scheduler.onTaskEvent(listener), (problem) => (webProblem = problem));
  publish();
  options.onReady?.();
  const timer = setInterval(publish, statusIntervalMs);

  const signal = await stopped;
  const stopStarted = performance.now();
  deps.logger.info(`Received ${signal}: stopping`);
  options.onStopping?.();
  program.context.signalStopping();
  clearInterval(timer);
  state = "stopping";
  publish();
  await web?.stop().catch((error: unknown) => deps.logger.error("Stopping the web page failed:", error));
  const { drained } = await scheduler.stop(options.graceMs ?? 10_000);
  if (!drained) deps.logger.warn("Some tasks were still running after the grace period");
  // The last word (what is queued goes out), kept below the kill that `acoupi stop` would send.
  const left = STOP_KILL_GRACE_MS - STOP_MARGIN_MS - (performance.now() - stopStarted);
  await program.context.runStoppingHooks(Math.max(0, Math.min(LAST_SEND_DEADLINE_MS, left)));
  try {
    await program.close();
  } finally {
    state = "stopped";
    publish();
    removePidfile(paths.pidFile);
    lock.release();
  }
  return 0;
}

/**
 * Starts the web page (in its own Worker) when the config enables it. Its code is imported only
 * then, so a runner with the page off loads none of it and opens no port. A page that fails to start (port taken)
 * is logged and reported as a degraded reason, and the sensor records on without it.
 */
async function startWeb(
  options: RunnerOptions,
  sections: ProgramSections,
  onTaskEvent: (listener: TaskEventListener) => () => void,
  onProblem: (reason: string) => void,
): Promise<WebServer | null> {
  const web = sections.web;
  if (web?.enabled !== true) return null;
  try {
    // The page runs in its own Worker: no request can delay capture or filing on this thread.
    const { startPageThread } = await import("../web/page-thread.ts");
    return await startPageThread({
      config: web,
      paths: options.paths,
      programName: options.programName,
      configSchema: options.definition.configSchema,
      programConfig: options.config,
      onTaskEvent,
      logger: options.deps.logger.withTag("web"),
    });
  } catch (error) {
    options.deps.logger.error(`The web page could not start on ${web.host}:${web.port}; recording goes on without it:`, error);
    onProblem(`web: cannot serve on ${web.host}:${web.port}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
