/**
 * @module The one way into the runner, for both commands that run a deployment in their own
 * process: `acoupi run` (what the systemd service and a background `acoupi start` launch) and
 * `acoupi start --foreground`. Both first call `tuneRunnerProcess` (the runtime settings of
 * runtime-tuning.ts, which only apply at start-up, so the process re-executes itself with them),
 * then `runRunner`, which prepares the config's paths, adds the systemd hooks, gives back the
 * executable's start-up pages once the runner is ready (release-startup-pages.ts) and says once,
 * after a rollback, why the runner restarted. A runner started either way is then the same
 * process, with the same threads, timers and memory.
 */
import { preparePaths } from "../config/prepare-paths.ts";
import type { RunLock } from "../system/run-lock.ts";
import { takeRollbackLogLine } from "../update/update-result.ts";
import { programDeps, type Configured } from "./load-program.ts";
import { scheduleStartupPageRelease } from "./release-startup-pages.ts";
import { runDeployment } from "./runner.ts";
import { reexecWithRunnerEnv } from "./runtime-tuning.ts";
import { systemdRunnerHooks } from "./systemd-hooks.ts";

/**
 * Re-executes this process (same pid, same argv) with the runner's runtime settings when they are
 * missing; returns when they are set. Call it first, before anything opens a file, a lock or a thread.
 */
export function tuneRunnerProcess(): void {
  reexecWithRunnerEnv();
}

/**
 * Runs the active deployment in this process until SIGTERM or SIGINT; resolves with the exit
 * code. `lock` is the run lock when the caller already holds it (`start --foreground`).
 */
export async function runRunner(configured: Configured, lock?: RunLock): Promise<number> {
  preparePaths(configured.definition.configSchema, configured.config);
  const hooks = systemdRunnerHooks(configured.definition.name);
  const deps = programDeps(configured.paths, "runner");
  const onReady = () => {
    hooks.onReady?.();
    scheduleStartupPageRelease();
    // After a rollback the restarted runner says why, once, in its own log.
    const rollback = takeRollbackLogLine(configured.paths);
    if (rollback !== null) deps.logger.warn(rollback);
  };
  return runDeployment({ ...configured, deps, ...hooks, onReady, ...(lock === undefined ? {} : { lock }) });
}
