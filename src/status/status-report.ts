/**
 * @module The status report that `acoupi status` prints and the web page shows, from one place:
 * `judgeStatus` (health.ts) reads the disk alone — the pidfile and its process identity, the
 * deployment file and the status file's age — so any process can build it and all of them agree.
 */
import { judgeStatus, type StatusReport } from "./health.ts";
import { acoupiPaths } from "../system/paths.ts";

export type { StatusReport } from "./health.ts";

export function buildStatus(): StatusReport {
  return judgeStatus(acoupiPaths());
}

/** The one-line health text: `ok`, `stopped`, `crashed`, …, or `degraded: <reasons>`. */
export function healthText(report: StatusReport): string {
  return report.degraded.length > 0 ? `${report.health}: ${report.degraded.join("; ")}` : report.health;
}
