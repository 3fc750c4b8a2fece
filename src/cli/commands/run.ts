/**
 * @module `acoupi run`: runs the active deployment in this process until SIGTERM or SIGINT. It is
 * what the systemd unit and `acoupi start` launch; SIGTERM keeps the deployment active.
 */
import { defineCommand } from "citty";
import { preparePaths } from "../../config/prepare-paths.ts";
import { runDeployment } from "../../system/runner.ts";
import { systemdRunnerHooks } from "../../system/systemd/runner-hooks.ts";
import { loadConfigured, programDeps } from "../load-program.ts";

export default defineCommand({
  meta: { name: "run", description: "Run the active deployment in the foreground (used by the service)" },
  async run() {
    const configured = await loadConfigured();
    preparePaths(configured.definition.configSchema, configured.config);
    process.exitCode = await runDeployment({ ...configured, deps: programDeps(configured.paths, "runner"), ...systemdRunnerHooks(configured.definition.name) });
  },
});
