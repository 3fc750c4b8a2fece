/**
 * @module `acoupi stop`: stops the runner (found through its pidfile), ends the deployment
 * (`ended_on`), and runs the program's end hooks so nothing is left in temp and pending
 * messages get a last chance to go out. The hooks run with the program and config the runner
 * started with (its snapshot in the run folder), so they file into the folders it used.
 */
import { defineCommand } from "citty";
import { AcoupiError, DeploymentError } from "../../../errors.ts";
import { instantiateProgram } from "../../../programs/define-program.ts";
import { activeDeployment, writeDeployment } from "../../../system/deployment-file.ts";
import { isSameProcess, readLiveRunner, type ProcessIdentity } from "../../../system/pidfile.ts";
import { stopViaSystemd } from "../../../system/systemd/service.ts";
import { acoupiPaths } from "../../../system/paths.ts";
import { removeRunnerConfig } from "../../../app/runner-config.ts";
import { STOP_KILL_GRACE_MS } from "../../../app/stop-deadlines.ts";
import { loadStartedWith, programDeps } from "../../../app/load-program.ts";

/**
 * Sends SIGTERM and waits up to `timeoutMs`; SIGKILL after that. Returns true if it exited by
 * itself. Each signal goes only to the process the identity names (same PID and start time), so a
 * PID reused by another process is never signalled.
 */
export async function stopRunner(runner: ProcessIdentity, timeoutMs = STOP_KILL_GRACE_MS): Promise<boolean> {
  if (!isSameProcess(runner)) return true;
  process.kill(runner.pid, "SIGTERM");
  for (let waited = 0; waited < timeoutMs; waited += 20) {
    if (!isSameProcess(runner)) return true;
    await Bun.sleep(20);
  }
  if (!isSameProcess(runner)) return true;
  process.kill(runner.pid, "SIGKILL");
  return false;
}

export default defineCommand({
  meta: { name: "stop", description: "Stop the runner and end the deployment" },
  async run() {
    const paths = acoupiPaths();
    const deployment = activeDeployment(paths);
    if (!deployment) {
      throw new DeploymentError("No deployment is active", { help: "Run `acoupi start --name <name>` to start one" });
    }
    process.stdout.write("Stopping acoupi...\n");
    // The service first, or systemd would restart the runner we are about to stop.
    if (stopViaSystemd()) process.stdout.write("Stopped and disabled acoupi.service\n");
    const runner = readLiveRunner(paths.pidFile);
    if (runner !== null && !(await stopRunner(runner))) {
      process.stderr.write(`The runner (pid ${runner.pid}) did not stop within ${STOP_KILL_GRACE_MS / 1000} s and was killed\n`);
    }
    // The runner is stopped before the program is loaded: a program file that cannot load (or
    // never finishes loading, see PROGRAM_LOAD_DEADLINE_MS) must not keep the sensor running.
    let started: Awaited<ReturnType<typeof loadStartedWith>>;
    try {
      started = await loadStartedWith(deployment.id, paths);
    } catch (error) {
      if (!(error instanceof AcoupiError)) throw error;
      throw new DeploymentError(`The runner is stopped, but deployment "${deployment.name}" stays active: ${error.message}`, {
        help: `${error.help ?? "Fix the program"}. Then run \`acoupi stop\` again to end the deployment and file what is left in temp`,
        cause: error,
      });
    }
    const { definition, config, changed, programName } = started;
    if (changed) process.stdout.write(`Ending with the configuration the runner started with (program "${programName}"); program.json has changed since and applies at the next start\n`);
    const ended = { ...deployment, ended_on: new Date() };
    writeDeployment(paths, ended);
    const program = await instantiateProgram(definition, config, programDeps(paths, "stop"));
    try {
      await program.end(ended);
    } finally {
      await program.close();
    }
    removeRunnerConfig(paths);
    process.stdout.write(`Deployment "${ended.name}" ended\n`);
  },
});
