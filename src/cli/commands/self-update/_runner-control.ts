/**
 * @module Stopping and starting the runner around a binary swap, with systemd or without: under
 * the installed service it is `systemctl stop|start acoupi` (the unit stays enabled, and its
 * ExecStart names the binary path, so the same unit runs the new file); otherwise SIGTERM to the
 * runner in the pidfile, and a background `<binary> run`.
 */
import { readLiveRunner } from "../../../system/pidfile.ts";
import { systemctl } from "../../../system/systemd/_systemctl.ts";
import { installedUnit, systemdAvailable, type InstalledUnit } from "../../../system/systemd/service.ts";
import { UNIT_NAME } from "../../../system/systemd/unit-file.ts";
import type { Configured } from "../../../app/load-program.ts";
import { spawnBackground } from "../deployment/_spawn-runner.ts";
import { stopRunner } from "../deployment/stop.ts";

/** The service that runs acoupi here, or null when systemd does not. */
export function managingService(): InstalledUnit | null {
  return systemdAvailable() ? installedUnit() : null;
}

export async function stopForUpdate(configured: Configured, service: InstalledUnit | null): Promise<void> {
  if (service !== null) systemctl(service.scope, ["stop", UNIT_NAME]);
  const runner = readLiveRunner(configured.paths.pidFile);
  if (runner !== null) await stopRunner(runner);
}

/** Starts the runner of `binary`; resolves with a problem to report, or null when it started. */
export async function startAfterUpdate(configured: Configured, service: InstalledUnit | null, binary: string): Promise<string | null> {
  if (service !== null) {
    const result = systemctl(service.scope, ["start", UNIT_NAME]);
    return result.code === 0 ? null : `\`systemctl start ${UNIT_NAME}\` failed: ${(result.stderr || result.stdout).trim() || `exit ${result.code}`}`;
  }
  try {
    await spawnBackground(configured, [binary]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
