/**
 * @module `acoupi start`: records a new deployment and starts the runner — in this process with
 * `--foreground`, otherwise as a detached background process (or the systemd service when one
 * is installed). A second start while a deployment is active is refused, and so is a start
 * without coordinates when a setting needs them (on a terminal it asks for them instead).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { Asker } from "../../../config/ask.ts";
import { keysNeedingCoordinates } from "../../../config/coordinates.ts";
import { preparePaths } from "../../../config/prepare-paths.ts";
import { createDeployment } from "../../../data/index.ts";
import { DeploymentError } from "../../../errors.ts";
import { activeDeployment, writeDeployment } from "../../../system/deployment-file.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { runDeployment } from "../../../system/runner.ts";
import { selfCommand } from "../../../system/self-command.ts";
import { startViaSystemd } from "../../../system/systemd/service.ts";
import { systemdRunnerHooks } from "../../../system/systemd/runner-hooks.ts";
import { runHealthChecks } from "../../health-checks.ts";
import { loadConfigured, programDeps, type Configured } from "../../load-program.ts";

function parseCoordinate(raw: string | undefined, name: string, limit: number): number | null {
  if (raw === undefined || raw === "") return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || Math.abs(value) > limit) {
    throw new DeploymentError(`Invalid --${name} "${raw}": expected a number between -${limit} and ${limit}`);
  }
  return value;
}

/** Asks for the coordinates on the terminal, as acoupi 0.6's `start` did. */
async function askCoordinates(why: string, latitude: number | null, longitude: number | null): Promise<{ latitude: number; longitude: number }> {
  const asker = new Asker();
  try {
    asker.say(`${why}.`);
    const ask = async (name: string, limit: number, current: number | null): Promise<number> => {
      for (;;) {
        const text = await asker.text(`${name[0]?.toUpperCase()}${name.slice(1)} of the deployment, in degrees`, current === null ? "" : String(current));
        try {
          const value = parseCoordinate(text, name, limit);
          if (value !== null) return value;
          asker.say(`An answer is required: a number between -${limit} and ${limit}`);
        } catch (error) {
          if (!(error instanceof DeploymentError)) throw error;
          asker.say(error.message);
        }
      }
    };
    return { latitude: await ask("latitude", 90, latitude), longitude: await ask("longitude", 180, longitude) };
  } finally {
    asker.close();
  }
}

async function spawnBackground(configured: Configured): Promise<number> {
  const { paths } = configured;
  mkdirSync(paths.logDir, { recursive: true });
  const logPath = join(paths.logDir, "acoupi.log");
  const fd = openSync(logPath, "a");
  const child = Bun.spawn([...selfCommand(), "run"], { stdio: ["ignore", fd, fd], env: process.env, detached: true });
  closeSync(fd);
  child.unref();
  for (let waited = 0; waited < 10_000; waited += 25) {
    const pid = readLivePid(paths.pidFile);
    if (pid !== null) return pid;
    if (child.exitCode !== null) break;
    await Bun.sleep(25);
  }
  throw new DeploymentError(`The runner did not start; see ${logPath}`, { help: "Run `acoupi run` to see the error in the terminal" });
}

export default defineCommand({
  meta: { name: "start", description: "Start a deployment: `acoupi start --name site-1 --latitude 51.5 --longitude -0.1`" },
  args: {
    name: { type: "string", description: "Deployment name", default: "" },
    latitude: { type: "string", description: "Latitude in degrees (for dawn/dusk and GUANO)" },
    longitude: { type: "string", description: "Longitude in degrees" },
    check: { type: "boolean", description: "Run the health checks first (--no-check to skip)", default: true },
    foreground: { type: "boolean", description: "Run in this terminal until Ctrl-C instead of in the background" },
  },
  async run({ args }) {
    const configured = await loadConfigured();
    const { paths, definition, config } = configured;
    const current = activeDeployment(paths);
    if (current) {
      throw new DeploymentError(`A deployment is already active: "${current.name}", started on ${current.started_on.toISOString()}`, {
        help: "Run `acoupi stop` to end it first, or `acoupi run` to resume its runner",
      });
    }
    let latitude = parseCoordinate(args.latitude ?? process.env.ACOUPI_LATITUDE, "latitude", 90);
    let longitude = parseCoordinate(args.longitude ?? process.env.ACOUPI_LONGITUDE, "longitude", 180);
    const needing = keysNeedingCoordinates(definition.configSchema, config);
    if (needing.length > 0 && (latitude === null || longitude === null)) {
      const why = `${needing.join(" and ")} ${needing.length > 1 ? "need" : "needs"} the deployment's coordinates`;
      if (process.stdin.isTTY !== true) {
        throw new DeploymentError(`Cannot start: ${why}, and none were given (without them every recording would be discarded)`, {
          help: `Give them, e.g. \`acoupi start --latitude 51.5 --longitude -0.1\`, or switch the filter off with \`acoupi config set ${needing[0]} 0\``,
        });
      }
      ({ latitude, longitude } = await askCoordinates(why, latitude, longitude));
    } else if (latitude === null || longitude === null) {
      process.stderr.write("Warning: no coordinates given (--latitude, --longitude): the recordings' GUANO metadata will have no position\n");
    }
    const name = args.name || process.env.ACOUPI_DEPLOYMENT_NAME || `Deployment ${new Date().toISOString().slice(0, 19).replace("T", " ")}`;
    if (args.check) {
      // An unreachable broker only warns: the outbox keeps the messages until it is back.
      const { warnings } = await runHealthChecks(configured, { networkWarns: true });
      for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
    } else {
      preparePaths(definition.configSchema, config);
    }
    const deployment = createDeployment({ name, latitude, longitude });
    writeDeployment(paths, deployment);
    if (args.foreground) {
      process.stdout.write(`Deployment "${name}" started; running in the foreground (Ctrl-C to pause, \`acoupi stop\` to end)\n`);
      process.exitCode = await runDeployment({ ...configured, deps: programDeps(paths, "runner"), ...systemdRunnerHooks(configured.definition.name) });
      return;
    }
    try {
      const service = startViaSystemd();
      if (service !== null) {
        if (service.lingerWarning) process.stderr.write(`Warning: ${service.lingerWarning}\n`);
        process.stdout.write(`Deployment "${name}" started by the ${service.scope} service acoupi.service; \`acoupi status\` shows how it goes\n`);
        return;
      }
      const pid = await spawnBackground(configured);
      process.stdout.write(`Deployment "${name}" started (runner pid ${pid}); \`acoupi status\` shows how it goes\n`);
    } catch (error) {
      writeDeployment(paths, { ...deployment, ended_on: new Date() });
      throw error;
    }
  },
});
