/**
 * @module Opening the metadata database for reading. The connection is read-only, so a listing or
 * export never changes what the runner stores, and WAL lets it read while the runner writes. A
 * file SQLite cannot open in place (a card mounted read-only, see read-only-copy.ts) is read from
 * a private copy, rows in its -wal included. The connection holds the roots of the stored paths
 * in a temp table (path-roots.ts) that the queries read. A database from before relative paths is
 * read from an in-memory copy given the new column, since the file itself stays untouched.
 */
import { Database } from "bun:sqlite";
import { dirname, join, resolve } from "node:path";
import { StoreError } from "../../../errors.ts";
import { openSqliteReadonly } from "../../../system/sqlite.ts";
import type { PathRoots } from "../_paths.ts";
import { assertOwnSchema } from "../_schema.ts";
import { installPathRoots } from "./path-roots.ts";
import { isReadOnlyMediumError, openFromReadOnlyMedium } from "./read-only-copy.ts";

function hasPathRoot(db: Database): boolean {
  return db.query<{ name: string }, []>("SELECT name FROM pragma_table_info('recordings') WHERE name = 'path_root'").get() !== null;
}

/** An in-memory copy of an older database, given the `path_root` column (all null: absolute paths). */
function withPathRootColumn(db: Database): Database {
  const bytes = db.serialize();
  // Bytes 18 and 19 say WAL (2), which an in-memory database cannot use; 1 is rollback mode.
  bytes[18] = 1;
  bytes[19] = 1;
  const copy = Database.deserialize(bytes, { strict: true });
  copy.run("ALTER TABLE recordings ADD COLUMN path_root TEXT");
  db.close();
  return copy;
}

/** Opens the metadata database read-only; a missing file is an error that says how to get one. */
export function openMetadataReadonly(path: string, roots?: PathRoots): Database {
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
    if (!hasPathRoot(db)) db = withPathRootColumn(db);
    installPathRoots(db, roots ?? { recordings: join(dirname(resolve(path)), "recordings"), tmp: join(dirname(resolve(path)), "tmp") });
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
