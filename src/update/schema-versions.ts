/**
 * @module The database schema versions this acoupi knows (`acoupi --schema-versions`), and those
 * a database file is at: what `self-update` compares so that a downgrade onto a newer schema is
 * refused by name before anything changes, and a snapshot is taken only when a migration is due.
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { OUTBOX_MIGRATIONS } from "../components/message-stores/_schema.ts";
import { STORE_MIGRATIONS } from "../components/stores/_schema.ts";

export interface SchemaVersions {
  metadata: number;
  outbox: number;
}

export function knownSchemaVersions(): SchemaVersions {
  return { metadata: STORE_MIGRATIONS.length, outbox: OUTBOX_MIGRATIONS.length };
}

export function schemaVersionsJson(): string {
  return JSON.stringify(knownSchemaVersions());
}

/** The schema version (user_version) of a database file, or null when there is no file. */
export function fileSchemaVersion(path: string): number | null {
  if (!existsSync(path)) return null;
  const db = new Database(path, { readonly: true });
  try {
    return db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
  } finally {
    db.close();
  }
}
