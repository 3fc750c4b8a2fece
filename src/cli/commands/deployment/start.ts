/**
 * @module `acoupi start`: records a new deployment and starts the runner — in this process with
 * `--foreground`, otherwise as a detached background process (or the systemd service when one
 * is installed). A second start while a deployment is active is refused, and so is a start
 * without coordinates when a setting needs them (on a terminal it asks for them instead).
 */
import { defineCommand } from "citty";
import { Asker } from "../../../config/ask.ts";
import { keysNeedingCoordinates } from "../../../config/coordinates.ts";
import { preparePaths } from "../../../config/prepare-paths.ts";
import { valueAt } from "../../../config/value-at.ts";
import { createDeployment } from "../../../data/index.ts";
import { DeploymentError } from "../../../errors.ts";
import { activeDeployment, writeDeployment } from "../../../system/deployment-file.ts";
import type { AcoupiPaths } from "../../../system/paths.ts";
import { readLiveRunner } from "../../../system/pidfile.ts";
import { acquireRunLock, type RunLock } from "../../../system/run-lock.ts";
import { runRunner, tuneRunnerProcess } from "../../../app/runner-entry.ts";
import { startViaSystemd } from "../../../system/systemd/service.ts";
import { runHealthChecks } from "../../health-checks.ts";
import { loadConfigured } from "../../../app/load-program.ts";
import { parseCoordinate } from "./_coordinates.ts";
import { spawnBackground } from "./_spawn-runner.ts";

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

/** Asks for the name and the coordinates not given; Enter leaves a coordinate out. */
async function askDeployment(name: string, latitude: number | null, longitude: number | null): Promise<{ name: string; latitude: number | null; longitude: number | null }> {
  const asker = new Asker();
  try {
    const typedName = name !== "" ? name : await asker.text("Name of the deployment (a site, a season)", `Deployment ${new Date().toISOString().slice(0, 10)}`);
    const ask = async (label: string, limit: number, current: number | null): Promise<number | null> => {
      if (current !== null) return current;
      for (;;) {
        const text = await asker.text(`${label} of the deployment, in degrees (Enter to leave it out)`, "");
        try {
          return parseCoordinate(text, label.toLowerCase(), limit);
        } catch (error) {
          if (!(error instanceof DeploymentError)) throw error;
          asker.say(error.message);
        }
      }
    };
    return { name: typedName, latitude: await ask("Latitude", 90, latitude), longitude: await ask("Longitude", 180, longitude) };
  } finally {
    asker.close();
  }
}

/** How long a start waits for another start (or a runner starting) to let go of the run lock. */
const LOCK_WAIT_MS = 5000;

function refuseIfActive(paths: AcoupiPaths): void {
  const current = activeDeployment(paths);
  if (current) {
    throw new DeploymentError(`A deployment is already active: "${current.name}", started on ${current.started_on.toISOString()}`, {
      help: "Run `acoupi stop` to end it first, or `acoupi run` to resume its runner",
    });
  }
}

/** The run lock, so that of concurrent starts exactly one writes a deployment. */
async function lockForStart(paths: AcoupiPaths): Promise<RunLock> {
  const lock = await acquireRunLock(paths.lockFile, LOCK_WAIT_MS, () => {
    const runner = readLiveRunner(paths.pidFile);
    if (runner !== null) {
      throw new DeploymentError(`acoupi is already running as process ${runner.pid}`, { help: "Run `acoupi status` to see it, or `acoupi stop` to end it" });
    }
  });
  if (lock === null) {
    throw new DeploymentError(`Another \`acoupi start\` is starting a deployment (it holds ${paths.lockFile})`, { help: "Run `acoupi status` to see how it went" });
  }
  return lock;
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
    // The foreground runner is the service's runner: the same runtime settings (a re-exec of this
    // very command line, before anything is asked, opened or written), the same entry below.
    if (args.foreground) tuneRunnerProcess();
    const configured = await loadConfigured();
    const { paths, definition, config } = configured;
    refuseIfActive(paths);
    let latitude = parseCoordinate(args.latitude ?? process.env.ACOUPI_LATITUDE, "latitude", 90);
    let longitude = parseCoordinate(args.longitude ?? process.env.ACOUPI_LONGITUDE, "longitude", 180);
    const needing = keysNeedingCoordinates(definition.configSchema, config);
    if (needing.length > 0 && (latitude === null || longitude === null)) {
      const why = `${needing.join(" and ")} ${needing.length > 1 ? "need" : "needs"} the deployment's coordinates`;
      if (process.stdin.isTTY !== true) {
        throw new DeploymentError(`Cannot start: ${why}, and none were given (without them every recording would be discarded)`, {
          help: `Give them, e.g. \`acoupi start --latitude 51.5 --longitude -0.1\`, or switch the filter off with \`acoupi config set ${needing[0]} ${typeof valueAt(config, needing[0] ?? "") === "boolean" ? "false" : "0"}\``,
        });
      }
      ({ latitude, longitude } = await askCoordinates(why, latitude, longitude));
    }
    let name = args.name || process.env.ACOUPI_DEPLOYMENT_NAME || "";
    if (process.stdin.isTTY === true && (name === "" || latitude === null || longitude === null)) {
      // On a terminal, ask for what was not given, as acoupi 0.6's `start` did.
      ({ name, latitude, longitude } = await askDeployment(name, latitude, longitude));
    }
    if (latitude === null || longitude === null) {
      process.stderr.write("Warning: no coordinates given (--latitude, --longitude): the recordings' GUANO metadata will have no position\n");
    }
    if (name === "") name = `Deployment ${new Date().toISOString().slice(0, 19).replace("T", " ")}`;
    if (args.check) {
      // An unreachable broker only warns: the outbox keeps the messages until it is back.
      const { warnings } = await runHealthChecks(configured, { networkWarns: true });
      for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
    } else {
      preparePaths(definition.configSchema, config);
    }
    const lock = await lockForStart(paths);
    const deployment = createDeployment({ name, latitude, longitude });
    try {
      refuseIfActive(paths);
      writeDeployment(paths, deployment);
    } catch (error) {
      lock.release();
      throw error;
    }
    if (args.foreground) {
      process.stdout.write(`Deployment "${name}" started; running in the foreground (Ctrl-C to pause, \`acoupi stop\` to end)\n`);
      process.exitCode = await runRunner(configured, lock);
      return;
    }
    // The runner (our child, or the service) takes the lock itself; a start that grabs it meanwhile
    // finds the deployment active and refuses.
    lock.release();
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
