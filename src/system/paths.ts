/**
 * @module Where acoupi keeps its own state: `$ACOUPI_HOME` (default `~/.acoupi`) and the files
 * under it. Every path is derived from the home at call time, so `ACOUPI_HOME=/x` relocates all
 * of them (acoupi 0.6 relocated only the home itself).
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function acoupiHome(): string {
  const fromEnv = process.env.ACOUPI_HOME;
  return resolve(fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), ".acoupi"));
}

export interface AcoupiPaths {
  home: string;
  configDir: string;
  programJson: string;
  programName: string;
  deploymentJson: string;
  runDir: string;
  pidFile: string;
  /** Held (flock) by the runner while it lives, and by `start` while it creates a deployment. */
  lockFile: string;
  statusFile: string;
  logDir: string;
}

export function acoupiPaths(home: string = acoupiHome()): AcoupiPaths {
  const configDir = join(home, "config");
  const runDir = join(home, "run");
  return {
    home,
    configDir,
    programJson: join(configDir, "program.json"),
    programName: join(configDir, "name"),
    deploymentJson: join(configDir, "deployment.json"),
    runDir,
    pidFile: join(runDir, "acoupi.pid"),
    lockFile: join(runDir, "acoupi.lock"),
    statusFile: join(runDir, "status.json"),
    logDir: join(home, "log"),
  };
}
