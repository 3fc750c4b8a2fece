/**
 * @module The outbox as the user sees it (`acoupi outbox`): the messages not yet delivered, with
 * their attempts and last error, and re-queuing the ones that failed for good once the cause is
 * fixed (a server that refused the payload was updated). Re-queued messages start their backoff
 * afresh and are due at once.
 */
import type { Database } from "bun:sqlite";
import { sqlTime } from "../../system/sqlite-helpers.ts";
import type { MessageStatus } from "./types.ts";

/** One outbox row, without its content. */
export interface OutboxEntry {
  id: string;
  kind: "detection" | "summary" | "heartbeat";
  status: MessageStatus;
  created_on: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
}

/** Undelivered messages (or only those of `status`), oldest first, up to `limit`. */
export function listEntries(db: Database, s: string, options: { status?: "pending" | "failed"; limit?: number } = {}): OutboxEntry[] {
  const where = options.status === undefined ? "status <> 'delivered'" : "status = ?";
  const params: Array<string | number> = options.status === undefined ? [] : [options.status];
  params.push(options.limit ?? -1);
  return db
    .query<OutboxEntry, Array<string | number>>(
      `SELECT id, kind, status, created_on, attempts, next_attempt_at, last_error FROM ${s}.messages
       WHERE ${where} ORDER BY created_on, rowid LIMIT ?`,
    )
    .all(...params);
}

/** Puts failed messages (all, or those in `ids`) back to pending, due at `now`; returns how many. */
export function requeueFailed(db: Database, s: string, now: Date, ids?: readonly string[]): number {
  const due = sqlTime(now);
  if (ids === undefined) {
    return db.query(`UPDATE ${s}.messages SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE status = 'failed'`).run(due).changes;
  }
  let changed = 0;
  const update = db.query(`UPDATE ${s}.messages SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE status = 'failed' AND id = ?`);
  for (const id of ids) changed += update.run(due, id.toLowerCase()).changes;
  return changed;
}
