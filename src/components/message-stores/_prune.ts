/**
 * @module Pruning the outbox: delivered rows go after the retention period; then, over the
 * ceiling (rows, content bytes, age), undelivered rows are dropped in a fixed order so the most
 * valuable survive: heartbeats, then summaries, then detections; within a kind, failed rows
 * (which will never be sent) before pending ones, oldest first. Delivered rows count towards the
 * ceiling but are removed first and are not "dropped": they already reached the backend. A
 * message's bytes are its content plus its kept responses, so what servers answer counts too.
 */
import type { Database } from "bun:sqlite";
import type { ConsolaInstance } from "consola";
import { chunks, placeholders, sqlTime } from "../../system/sqlite-helpers.ts";
import type { DroppedCounts, PruneResult } from "./types.ts";

export interface PruneLimits {
  max_rows: number;
  max_bytes: number;
  max_age_days: number | null;
  retention_days: number;
}

const DAY_MS = 86_400_000;
const KINDS = ["heartbeat", "summary", "detection"] as const;

interface Candidate {
  id: string;
  kind: (typeof KINDS)[number];
  size: number;
}

function deleteIds(db: Database, s: string, ids: readonly string[]): void {
  for (const part of chunks(ids)) db.query(`DELETE FROM ${s}.messages WHERE id IN (${placeholders(part.length)})`).run(...part);
}

function addCounter(db: Database, s: string, name: string, by: number): void {
  if (by === 0) return;
  db.query(`INSERT INTO ${s}.counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`).run(name, by);
}

/** A message's bytes in the file: its content and its kept responses' content. */
function sizeSql(s: string): string {
  return `m.size + coalesce((SELECT sum(length(CAST(r.content AS BLOB))) FROM ${s}.responses r WHERE r.message_id = m.id), 0)`;
}

function totals(db: Database, s: string): { rows: number; bytes: number } {
  const row = db.query<{ rows: number; bytes: number | null }, []>(`SELECT count(*) AS rows, sum(size) AS bytes FROM ${s}.messages`).get();
  const answers = db.query<{ bytes: number | null }, []>(`SELECT sum(length(CAST(content AS BLOB))) AS bytes FROM ${s}.responses`).get();
  return { rows: row?.rows ?? 0, bytes: (row?.bytes ?? 0) + (answers?.bytes ?? 0) };
}

/** Runs inside the caller's transaction; `s` is the schema holding the outbox. */
export function pruneOutbox(db: Database, s: string, limits: PruneLimits, now: Date, log: ConsolaInstance): PruneResult {
  const dropped: DroppedCounts = { heartbeat: 0, summary: 0, detection: 0 };
  const retentionCut = sqlTime(new Date(now.getTime() - limits.retention_days * DAY_MS));
  let delivered = db.query(`DELETE FROM ${s}.messages WHERE status = 'delivered' AND delivered_on < ?`).run(retentionCut).changes;

  if (limits.max_age_days !== null) {
    const ageCut = sqlTime(new Date(now.getTime() - limits.max_age_days * DAY_MS));
    delivered += db.query(`DELETE FROM ${s}.messages WHERE status = 'delivered' AND created_on < ?`).run(ageCut).changes;
    for (const kind of KINDS) {
      const n = db.query(`DELETE FROM ${s}.messages WHERE status <> 'delivered' AND kind = ? AND created_on < ?`).run(kind, ageCut).changes;
      if (n > 0) log.warn(`Dropped ${n} undelivered ${kind} messages older than ${limits.max_age_days} days (max_age_days)`);
      dropped[kind] += n;
    }
  }

  let { rows, bytes } = totals(db, s);
  const over = (): boolean => rows > limits.max_rows || bytes > limits.max_bytes;
  if (over()) {
    const reason = `the outbox holds ${rows} messages (max_rows ${limits.max_rows}) and ${bytes} bytes (max_bytes ${limits.max_bytes})`;
    const victims: string[] = [];
    const oldDelivered = db.query<Candidate, []>(
      `SELECT m.id, m.kind, ${sizeSql(s)} AS size FROM ${s}.messages m WHERE m.status = 'delivered' ORDER BY m.delivered_on, m.rowid`,
    );
    for (const c of oldDelivered.iterate()) {
      if (!over()) break;
      victims.push(c.id);
      rows -= 1;
      bytes -= c.size;
    }
    delivered += victims.length;
    const undelivered = db.query<Candidate, []>(
      `SELECT m.id, m.kind, ${sizeSql(s)} AS size FROM ${s}.messages m WHERE m.status <> 'delivered'
       ORDER BY CASE m.kind WHEN 'heartbeat' THEN 0 WHEN 'summary' THEN 1 ELSE 2 END, m.status = 'failed' DESC, m.created_on, m.rowid`,
    );
    const droppedNow: DroppedCounts = { heartbeat: 0, summary: 0, detection: 0 };
    for (const c of undelivered.iterate()) {
      if (!over()) break;
      victims.push(c.id);
      droppedNow[c.kind] += 1;
      rows -= 1;
      bytes -= c.size;
    }
    deleteIds(db, s, victims);
    for (const kind of KINDS) {
      if (droppedNow[kind] > 0) log.warn(`Dropped ${droppedNow[kind]} undelivered ${kind} messages because ${reason}`);
      dropped[kind] += droppedNow[kind];
    }
  }

  for (const kind of KINDS) addCounter(db, s, `dropped_${kind}`, dropped[kind]);
  addCounter(db, s, "pruned_delivered", delivered);
  if (delivered > 0) log.debug(`Pruned ${delivered} delivered messages`);
  return { delivered, dropped };
}
