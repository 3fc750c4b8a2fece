/**
 * @module What the last `self-update` did, in `run/update-result.json`: updated, or rolled back
 * with the reason and the files kept aside. The runner logs a rollback once when it starts, and
 * the next heartbeat carries it in its status line once (`takeRollbackNotice`), so whoever watches
 * the fleet learns that a sensor refused an update, and why.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile } from "../system/json-file.ts";
import { writeFileAtomic } from "../system/atomic-write.ts";
import type { AcoupiPaths } from "../system/paths.ts";

export interface UpdateResult {
  outcome: "updated" | "rolled_back";
  from: string;
  to: string;
  at: string;
  reason?: string;
  /** Migrated databases moved aside by the rollback (they hold the rows written since the snapshot). */
  keptAside?: string[];
  /** Set once the runner logged it / a heartbeat carried it. */
  logged?: boolean;
  reported?: boolean;
}

export function updateResultFile(paths: AcoupiPaths): string {
  return join(paths.runDir, "update-result.json");
}

export function writeUpdateResult(paths: AcoupiPaths, result: UpdateResult): void {
  writeFileAtomic(updateResultFile(paths), `${JSON.stringify(result, null, 2)}\n`, 0o644);
}

export function readUpdateResult(paths: AcoupiPaths): UpdateResult | null {
  const file = updateResultFile(paths);
  return existsSync(file) ? (readJsonFile(file) as UpdateResult) : null;
}

export function describeRollback(result: UpdateResult): string {
  return `update to acoupi ${result.to} rolled back to ${result.from}: ${result.reason ?? "unknown reason"}`;
}

/** The rollback line for the runner's log, once (null when there is none to log). */
export function takeRollbackLogLine(paths: AcoupiPaths): string | null {
  const result = readUpdateResult(paths);
  if (result === null || result.outcome !== "rolled_back" || result.logged === true) return null;
  writeUpdateResult(paths, { ...result, logged: true });
  const aside = result.keptAside?.length ? `; rows written since the snapshot are kept in ${result.keptAside.join(", ")}` : "";
  return `The ${describeRollback(result)}${aside}`;
}

/** The rollback for the next heartbeat's status line, once (null when there is none to send). */
export function takeRollbackNotice(paths: AcoupiPaths): string | null {
  const result = readUpdateResult(paths);
  if (result === null || result.outcome !== "rolled_back" || result.reported === true) return null;
  writeUpdateResult(paths, { ...result, reported: true });
  return describeRollback(result);
}

/** The heartbeat status with the pending rollback appended once (the next heartbeat carries it). */
export function withRollbackNotice(status: () => string, paths: AcoupiPaths): () => string {
  return () => {
    const base = status();
    const notice = takeRollbackNotice(paths);
    if (notice === null) return base;
    return base === "OK" ? notice : `${base}; ${notice}`;
  };
}
