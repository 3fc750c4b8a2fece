/**
 * @module `acoupi restart`: stops the runner and starts it again for the same active deployment,
 * e.g. after `acoupi config set` or an upgrade of the binary. Under systemd it is
 * `systemctl restart acoupi`; otherwise the runner found through its pidfile gets SIGTERM (it
 * drains its tasks; the deployment stays active) and a new background runner is started. A runner
 * that had crashed is simply started.
 */
import { defineCommand } from "citty";
import { DeploymentError } from "../../../errors.ts";
import { activeDeployment } from "../../../system/deployment-file.ts";
import { readLiveRunner } from "../../../system/pidfile.ts";
import { restartViaSystemd } from "../../../system/systemd/service.ts";
import { loadConfigured } from "../../../app/load-program.ts";
import { spawnBackground } from "./_spawn-runner.ts";
import { stopRunner } from "./stop.ts";

export default defineCommand({
  meta: { name: "restart", description: "Restart the runner of the active deployment" },
  async run() {
    const configured = await loadConfigured();
    const { paths } = configured;
    const deployment = activeDeployment(paths);
    if (!deployment) {
      throw new DeploymentError("No deployment is active, so there is no runner to restart", { help: "Run `acoupi start --name <name>` to start one" });
    }
    const service = restartViaSystemd();
    if (service !== null) {
      process.stdout.write(`Restarted the ${service.scope} service acoupi.service for deployment "${deployment.name}"\n`);
      return;
    }
    const runner = readLiveRunner(paths.pidFile);
    if (runner !== null) {
      process.stdout.write(`Stopping the runner (pid ${runner.pid})...\n`);
      if (!(await stopRunner(runner))) process.stderr.write(`The runner (pid ${runner.pid}) did not stop within 15 s and was killed\n`);
    } else {
      process.stdout.write("No runner was running; starting one\n");
    }
    const pid = await spawnBackground(configured);
    process.stdout.write(`Runner restarted (pid ${pid}) for deployment "${deployment.name}"\n`);
  },
});
