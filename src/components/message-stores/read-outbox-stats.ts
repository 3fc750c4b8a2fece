/**
 * @module Outbox statistics, read from the database file alone, so `acoupi status` in another
 * process can show them while the runner writes (WAL lets a reader in). The file is opened
 * read-only and never migrated.
 */
import type { Database } from "bun:sqlite";
import { StoreError } from "../../errors.ts";
import { openSqliteReadonly } from "../../system/sqlite.ts";
import { schemaVersion } from "../../system/sqlite-migrate.ts";
import { OUTBOX_MIGRATIONS } from "./_schema.ts";
import type { OutboxStats } from "./types.ts";

/** Counts by status and the persisted drop counters of the outbox in schema `s`. */
export function readStats(db: Database, s: string): OutboxStats {
  const stats: OutboxStats = { pending: 0, delivered: 0, failed: 0, dropped: { heartbeat: 0, summary: 0, detection: 0 } };
  const byStatus = db.query<{ status: string; n: number }, []>(`SELECT status, count(*) AS n FROM ${s}.messages GROUP BY status`).all();
  for (const { status, n } of byStatus) {
    if (status === "pending" || status === "delivered" || status === "failed") stats[status] = n;
  }
  for (const { name, value } of db.query<{ name: string; value: number }, []>(`SELECT name, value FROM ${s}.counters`).all()) {
    if (name === "dropped_heartbeat") stats.dropped.heartbeat = value;
    else if (name === "dropped_summary") stats.dropped.summary = value;
    else if (name === "dropped_detection") stats.dropped.detection = value;
  }
  return stats;
}

/** Stats of the outbox file at `path`, or null when the file does not exist yet. */
export function readOutboxStats(path: string): OutboxStats | null {
  const db = openSqliteReadonly(path, "outbox");
  if (db === null) return null;
  try {
    const version = schemaVersion(db);
    if (version === 0) return null; // created but never migrated: nothing stored yet
    if (version > OUTBOX_MIGRATIONS.length) {
      throw new StoreError(`Cannot read the outbox "${path}": its schema version is ${version} and this acoupi knows up to ${OUTBOX_MIGRATIONS.length}`, {
        help: "Run the status command of the acoupi version that runs the sensor",
      });
    }
    return readStats(db, "main");
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot read the outbox "${path}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    db.close();
  }
}
