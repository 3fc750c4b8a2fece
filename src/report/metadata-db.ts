/**
 * @module Finding and opening the metadata database for reading: `--db` when given (a copy
 * brought back from the field), otherwise the configured program's `paths.db_metadata`. The
 * connection is read-only, so a listing or export never changes what the runner stores, and WAL
 * lets it read while the runner writes. A file SQLite cannot open in place (a card mounted
 * read-only, see read-only-copy.ts) is read from a private copy, rows in its -wal included.
 */
import type { Database } from "bun:sqlite";
import { resolve } from "node:path";
import { loadConfigured } from "../cli/load-program.ts";
import { StoreError } from "../errors.ts";
import { openSqliteReadonly } from "../system/sqlite.ts";
import { isReadOnlyMediumError, openFromReadOnlyMedium } from "./read-only-copy.ts";
import { assertOwnSchema } from "../components/stores/_schema.ts";

/** The metadata database path: the flag, or the configured program's `paths.db_metadata`. */
export async function metadataPath(flag?: string): Promise<string> {
  if (flag !== undefined && flag !== "") return resolve(flag);
  const { config } = await loadConfigured();
  const path = (config as { paths?: { db_metadata?: unknown } }).paths?.db_metadata;
  if (typeof path !== "string") {
    throw new StoreError("The configured program has no paths.db_metadata, so there is no metadata database to read", {
      help: "Pass the database file with --db PATH",
    });
  }
  return path;
}

/** Opens the metadata database read-only; a missing file is an error that says how to get one. */
export function openMetadataReadonly(path: string): Database {
  let db: Database | null = null;
  try {
    db = openSqliteReadonly(path, "metadata database");
    db?.query("SELECT count(*) FROM sqlite_master").get();
  } catch (error) {
    db?.close();
    if (!isReadOnlyMediumError(error) && !isReadOnlyMediumError((error as Error).cause)) throw error;
    db = openFromReadOnlyMedium(resolve(path), "metadata database");
  }
  if (db === null) {
    throw new StoreError(`There is no metadata database at "${resolve(path)}" yet`, {
      help: "Start a deployment with `acoupi start` to record, or pass another file with --db PATH",
    });
  }
  try {
    assertOwnSchema(db, "main", path);
    const tables = db.query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'recordings'").get();
    if ((tables?.n ?? 0) === 0) {
      throw new StoreError(`The file "${resolve(path)}" is not an acoupi metadata database (it has no recordings table)`, {
        help: "Pass the metadata database (storages/metadata.db) with --db PATH",
      });
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
