/**
 * @module Finding and opening the metadata database for reading: `--db` when given (a copy
 * brought back from the field), otherwise the configured program's `paths.db_metadata`. The
 * connection is read-only, so a listing or export never changes what the runner stores, and WAL
 * lets it read while the runner writes. A file SQLite cannot open in place (a card mounted
 * read-only, see read-only-copy.ts) is read from a private copy, rows in its -wal included. Stored paths are relative to their root (see
 * components/stores/_paths.ts): the roots are the configured folders, or for a copy the
 * `recordings/` folder beside it (or `--root`); the connection holds them in a temp table that
 * the report queries read. A database from before relative paths is read from an in-memory copy
 * given the new column, since the file itself stays untouched.
 */
import { Database } from "bun:sqlite";
import { dirname, join, resolve } from "node:path";
import type { PathRoots } from "../components/stores/_paths.ts";
import { installPathRoots } from "./path-roots.ts";
import { loadConfigured } from "../app/load-program.ts";
import { programSections, type ProgramSections } from "../programs/program-sections.ts";
import { StoreError } from "../errors.ts";
import { openSqliteReadonly } from "../system/sqlite.ts";
import { isReadOnlyMediumError, openFromReadOnlyMedium } from "./read-only-copy.ts";
import { assertOwnSchema } from "../components/stores/_schema.ts";

/** The configured program's `paths` section; a StoreError when it has none (pass `--db` then). */
async function configuredPaths(): Promise<NonNullable<ProgramSections["paths"]>> {
  const { config, programName } = await loadConfigured();
  const paths = programSections(config, { program: programName }).paths;
  if (paths === undefined) {
    throw new StoreError("The configured program has no paths.db_metadata, so there is no metadata database to read", {
      help: "Pass the database file with --db PATH",
    });
  }
  return paths;
}

/** The metadata database path: the flag, or the configured program's `paths.db_metadata`. */
export async function metadataPath(flag?: string): Promise<string> {
  if (flag !== undefined && flag !== "") return resolve(flag);
  return (await configuredPaths()).db_metadata;
}

export interface MetadataSource {
  path: string;
  roots: PathRoots;
}

/** The database and the roots of its paths: `--db` with `--root` (or `recordings/` beside it), else the config's. */
export async function metadataSource(dbFlag?: string, rootFlag?: string): Promise<MetadataSource> {
  if (dbFlag !== undefined && dbFlag !== "") {
    const path = resolve(dbFlag);
    const root = rootFlag !== undefined && rootFlag !== "" ? resolve(rootFlag) : join(dirname(path), "recordings");
    return { path, roots: { recordings: root, tmp: join(dirname(path), "tmp") } };
  }
  const p = await configuredPaths();
  const recordings = typeof rootFlag === "string" && rootFlag !== "" ? resolve(rootFlag) : p.recordings;
  return { path: p.db_metadata, roots: { recordings, tmp: p.tmp_audio } };
}

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

/** Opens `--db` (or the configured database) read-only with its roots: what the report commands start with. */
export async function openMetadataSource(dbFlag?: string, rootFlag?: string): Promise<Database> {
  const source = await metadataSource(dbFlag, rootFlag);
  return openMetadataReadonly(source.path, source.roots);
}
