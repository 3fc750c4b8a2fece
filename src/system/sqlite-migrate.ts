/**
 * @module Versioned schema migrations through `PRAGMA user_version`: migration i brings a schema
 * to version i + 1. The steps left run in one `BEGIN IMMEDIATE` transaction (so two processes
 * opening a new file do not race), and a step that rebuilds a table runs with foreign keys off
 * and every key checked before the commit. A file newer than this acoupi is refused by name, and
 * `recognise` names a foreign file before any step runs on it.
 */
import type { Database } from "bun:sqlite";
import { StoreError } from "../errors.ts";

/**
 * A step that rebuilds a table (SQLite's twelve-step ALTER TABLE procedure): it runs with foreign
 * keys off, so dropping the old table cascades to nothing, and the migration checks every foreign
 * key before it commits.
 */
export interface TableRebuild {
  rebuild: (db: Database, schema: string) => void;
}

/**
 * One step of a schema: SQL (may hold several statements), a function run in the transaction, or
 * a table rebuild.
 */
export type Migration = string | ((db: Database, schema: string) => void) | TableRebuild;

export interface MigrateOptions {
  /** Names the database in error messages, e.g. "metadata store". */
  label: string;
  /** Migration i brings the schema to version i + 1. */
  migrations: readonly Migration[];
  /**
   * Throws when an existing file holds some other schema (checked before migrating it), so a
   * foreign file is named as such instead of failing a migration or a version check.
   */
  recognise?: (db: Database, schema: string, file: string) => void;
}

/** Reads the schema version of `schema` (user_version). */
export function schemaVersion(db: Database, schema = "main"): number {
  return db.query<{ user_version: number }, []>(`PRAGMA ${schema}.user_version`).get()?.user_version ?? 0;
}

/** Brings `schema` of `file` to the newest version in one IMMEDIATE transaction (see the module comment). */
export function migrate(db: Database, schema: string, file: string, options: MigrateOptions): void {
  const target = options.migrations.length;
  const current = schemaVersion(db, schema);
  if (current > 0) options.recognise?.(db, schema, file);
  if (current > target) {
    throw new StoreError(
      `Cannot use the ${options.label} "${file}": its schema version is ${current} and this acoupi knows up to ${target}`,
      { help: "Upgrade acoupi, or point the config at a new database file" },
    );
  }
  if (current === target) return;
  // PRAGMA foreign_keys is a no-op inside a transaction, so a rebuild turns them off before it.
  const rebuilds = options.migrations.slice(current).some((step) => typeof step === "object");
  if (rebuilds) db.run("PRAGMA foreign_keys = OFF");
  // IMMEDIATE takes the write lock first, so two processes opening a new file do not race.
  db.run("BEGIN IMMEDIATE");
  try {
    for (let version = schemaVersion(db, schema); version < target; version++) {
      const step = options.migrations[version];
      if (typeof step === "string") db.run(step.replaceAll("{schema}", schema));
      else if (typeof step === "object") step.rebuild(db, schema);
      else if (step !== undefined) step(db, schema);
      db.run(`PRAGMA ${schema}.user_version = ${version + 1}`);
    }
    const broken = rebuilds ? db.query(`PRAGMA ${schema}.foreign_key_check`).all() : [];
    if (broken.length > 0) throw new Error(`${broken.length} rows break foreign keys after the rebuild`);
    db.run("COMMIT");
    if (rebuilds) db.run("PRAGMA foreign_keys = ON");
  } catch (error) {
    db.run("ROLLBACK");
    if (rebuilds) db.run("PRAGMA foreign_keys = ON");
    throw new StoreError(`Cannot migrate the ${options.label} "${file}" from schema version ${current}: ${error instanceof Error ? error.message : String(error)}`, {
      help: "Restore the file from a backup, or point the config at a new database file",
      cause: error,
    });
  }
}
