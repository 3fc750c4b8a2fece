/**
 * @module The status report that `acoupi status` prints and the web page shows: the deployment,
 * the runner and its health, built from disk alone (the pidfile, the deployment file and the
 * status file the runner rewrites every few seconds), so any process can build it and all of
 * them agree.
 */
import { isSetUp, readProgramName } from "../config/config-file.ts";
import { readDeployment } from "./deployment-file.ts";
import { acoupiPaths } from "./paths.ts";
import { readLivePid } from "./pidfile.ts";
import { readStatus, type RunnerStatus } from "./status-file.ts";

export interface StatusReport {
  setUp: boolean;
  program: string | null;
  deployment: { active: boolean; id: string; name: string; started_on: string; ended_on: string | null; latitude: number | null; longitude: number | null } | null;
  runner: { running: boolean; pid: number | null };
  health: "ok" | "degraded" | "stopped";
  degraded: string[];
  status: RunnerStatus | null;
}

export function buildStatus(): StatusReport {
  const paths = acoupiPaths();
  const setUp = isSetUp(paths);
  const deployment = readDeployment(paths);
  const pid = readLivePid(paths.pidFile);
  const status = pid !== null ? readStatus(paths.statusFile) : null;
  const degraded = status?.degraded ?? [];
  const failing = Object.entries(status?.tasks ?? {})
    .filter(([, t]) => t.lastFailure !== null && (t.lastSuccess === null || t.lastFailure > t.lastSuccess))
    .map(([name, t]) => `${name}: ${t.lastError ?? "failed"}`);
  const reasons = [...degraded, ...failing];
  return {
    setUp,
    program: setUp ? readProgramName(paths) : null,
    deployment: deployment && {
      active: deployment.ended_on === null,
      id: deployment.id,
      name: deployment.name,
      started_on: deployment.started_on.toISOString(),
      ended_on: deployment.ended_on?.toISOString() ?? null,
      latitude: deployment.latitude,
      longitude: deployment.longitude,
    },
    runner: { running: pid !== null, pid },
    health: pid === null ? "stopped" : reasons.length > 0 ? "degraded" : "ok",
    degraded: reasons,
    status,
  };
}

/** The one-line health text: `ok`, `stopped`, or `degraded: <reasons>`. */
export function healthText(report: StatusReport): string {
  return report.health === "degraded" ? `degraded: ${report.degraded.join("; ")}` : report.health;
}
