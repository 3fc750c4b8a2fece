/**
 * @module The outbox schema and its migrations. Every statement names its schema (`{schema}`),
 * because the outbox may live in its own connection (`main`) or be attached to the metadata
 * store's connection (`outbox`) so both are written in one transaction. acoupi 0.6's tables
 * (`message`, `response`) have other names, so an old messages.db is left as it is. `size` holds
 * the content's UTF-8 byte length, so the byte ceiling is a cheap SUM. `counters` keeps the drop
 * counts where another process (`acoupi status`) can read them.
 */
import type { Database } from "bun:sqlite";
import { StoreError } from "../../errors.ts";
import type { Migration } from "../../system/sqlite-migrate.ts";

const V1 = `
CREATE TABLE {schema}.messages (
  id TEXT PRIMARY KEY NOT NULL,
  created_on TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('detection', 'summary', 'heartbeat')),
  content TEXT NOT NULL,
  size INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  last_error TEXT,
  delivered_on TEXT
) STRICT;
CREATE INDEX {schema}.messages_status_created ON messages (status, created_on);
CREATE INDEX {schema}.messages_kind_created ON messages (kind, created_on) WHERE status <> 'delivered';
CREATE INDEX {schema}.messages_delivered ON messages (delivered_on) WHERE status = 'delivered';

CREATE TABLE {schema}.responses (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  status INTEGER NOT NULL,
  content TEXT,
  received_on TEXT NOT NULL
) STRICT;
CREATE INDEX {schema}.responses_message ON responses (message_id);

CREATE TABLE {schema}.counters (
  name TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL DEFAULT 0
) STRICT;
`;

export const OUTBOX_MIGRATIONS: readonly Migration[] = [V1];

/** A file whose user_version was set by another schema (e.g. the metadata store) has no outbox tables. */
export function assertOutboxSchema(db: Database, file: string, schema: string): void {
  const sql = `SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' AND name = 'messages'`;
  if (db.query<{ name: string }, []>(sql).get() === null) {
    throw new StoreError(`The file "${file}" is not an acoupi outbox: it has a schema version but no messages table`, {
      help: "Give messages_db its own file, separate from db_metadata",
    });
  }
}
