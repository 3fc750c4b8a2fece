/**
 * @module `acoupi run`: runs the active deployment in this process until SIGTERM or SIGINT. It is
 * what the systemd unit and `acoupi start` launch; SIGTERM keeps the deployment active. It first
 * re-executes itself with the runtime settings of runtime-tuning.ts, which only apply at start-up,
 * and once running it gives back the executable's start-up pages (release-startup-pages.ts).
 */
import { defineCommand } from "citty";
import { preparePaths } from "../../config/prepare-paths.ts";
import { runDeployment } from "../../app/runner.ts";
import { scheduleStartupPageRelease } from "../../app/release-startup-pages.ts";
import { reexecWithRunnerEnv } from "../../app/runtime-tuning.ts";
import { systemdRunnerHooks } from "../../app/systemd-hooks.ts";
import { takeRollbackLogLine } from "../../update/update-result.ts";
import { loadConfigured, programDeps } from "../../app/load-program.ts";

export default defineCommand({
  meta: { name: "run", description: "Run the active deployment in the foreground (used by the service)" },
  async run() {
    reexecWithRunnerEnv();
    const configured = await loadConfigured();
    preparePaths(configured.definition.configSchema, configured.config);
    const hooks = systemdRunnerHooks(configured.definition.name);
    const onReady = () => {
      hooks.onReady?.();
      scheduleStartupPageRelease();
    };
    const deps = programDeps(configured.paths, "runner");
    const onStarted = () => {
      onReady();
      // After a rollback the restarted runner says why, once, in its own log.
      const rollback = takeRollbackLogLine(configured.paths);
      if (rollback !== null) deps.logger.warn(rollback);
    };
    process.exitCode = await runDeployment({ ...configured, deps, ...hooks, onReady: onStarted });
  },
});
