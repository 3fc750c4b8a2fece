/**
 * @module Opening bun:sqlite databases the one way acoupi wants them: WAL (so `acoupi status`
 * can read while the runner writes), foreign keys on, a busy timeout, `synchronous = FULL`, and
 * versioned migrations through `PRAGMA user_version`. FULL rather than NORMAL because a field
 * sensor loses power for real: in WAL mode NORMAL may lose every commit since the last
 * checkpoint on a power cut, and the outbox promises that a created message survives. The cost
 * is one fsync per commit, which is small at a sensor's write rate (a few commits per recording);
 * bench/store.ts measures it. A damaged file is named as such, and the recovering openers move it
 * aside and start a fresh one. The migrations are in sqlite-migrate.ts; the small helpers the
 * stores share (chunks, placeholders, sqlTime, storeCall) in sqlite-helpers.ts.
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { StoreError } from "../errors.ts";
import { fsyncDir } from "./atomic-write.ts";
import { migrate, type MigrateOptions } from "./sqlite-migrate.ts";

export type Synchronous = "FULL" | "NORMAL";

export interface SqliteOptions extends MigrateOptions {
  /** Default FULL (see the module comment); NORMAL is for benchmarks and scratch files. */
  synchronous?: Synchronous;
  busyTimeoutMs?: number;
  /** Run `PRAGMA quick_check` on open, so a truncated file is found now rather than mid-run. */
  quickCheck?: boolean;
}

/** A database file that SQLite cannot read as a database (truncated, overwritten, bit rot). */
export class DamagedDatabaseError extends StoreError {
  readonly file: string;
  constructor(label: string, file: string, reason: string, cause?: unknown) {
    super(`The ${label} "${file}" is damaged: ${reason}`, {
      help: "`acoupi run` moves a damaged database aside and starts a fresh one; to keep its data, restore it from a backup first",
      cause,
    });
    this.file = file;
  }
}

/** SQLITE_CORRUPT and SQLITE_NOTADB: the file's bytes are not a sound database. */
function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB";
}

/** The DamagedDatabaseError for `error` (or the error it wraps), or null when it is another failure. */
function asDamage(error: unknown, label: string, file: string): DamagedDatabaseError | null {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const damage = isDamage(error) ? error : isDamage(cause) ? cause : null;
  return damage === null ? null : new DamagedDatabaseError(label, file, describe(damage), damage);
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens (creating the file and its directory if needed) and migrates a database. */
export function openSqlite(path: string, options: SqliteOptions): Database {
  const file = resolve(path);
  let db: Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { create: true, strict: true });
  } catch (error) {
    throw new StoreError(`Cannot open the ${options.label} "${file}": ${describe(error)}`, {
      help: "Check that the directory exists and is writable by the user running acoupi",
      cause: error,
    });
  }
  try {
    db.run(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)}`);
    db.run("PRAGMA foreign_keys = ON");
    configureSchema(db, "main", file, options);
    if (options.quickCheck) {
      const rows = db.query<{ quick_check: string }, []>("PRAGMA quick_check").all();
      const text = rows.map((r) => r.quick_check).join("; ");
      if (text !== "ok") throw new DamagedDatabaseError(options.label, file, text.slice(0, 200));
    }
    return db;
  } catch (error) {
    db.close();
    if (error instanceof DamagedDatabaseError) throw error;
    throw asDamage(error, options.label, file) ?? error;
  }
}

export interface RecoveredOpen {
  db: Database;
  /** Where a damaged file was moved, or null when the file was sound. */
  movedTo: string | null;
  damage: string | null;
}

/**
 * Opens like `openSqlite` (with a quick check); a damaged file is moved aside, with its -wal and
 * -shm, to `<file>.corrupt-<UTC time>`, and a fresh database is started in its place, so a
 * runner keeps recording. The caller reports the move (status, log).
 */
export function openSqliteRecovering(path: string, options: SqliteOptions): RecoveredOpen {
  try {
    return { db: openSqlite(path, { ...options, quickCheck: true }), movedTo: null, damage: null };
  } catch (error) {
    if (!(error instanceof DamagedDatabaseError)) throw error;
    const movedTo = moveAside(error.file);
    return { db: openSqlite(path, options), movedTo, damage: error.message };
  }
}

/** Moves a damaged file, with its -wal and -shm, aside to `<file>.corrupt-<UTC time>`; returns where. */
function moveAside(file: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const movedTo = `${file}.corrupt-${stamp}`;
  for (const suffix of ["-wal", "-shm", ""]) {
    if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
  }
  fsyncDir(dirname(file));
  return movedTo;
}

/**
 * Attaches like `attachSqlite`, with a quick check of the attached file; a damaged file is
 * detached, moved aside byte for byte (see `openSqliteRecovering`) and a fresh one attached in
 * its place, so a runner keeps recording. The caller reports the move (status, log).
 */
export function attachSqliteRecovering(db: Database, path: string, alias: string, options: SqliteOptions): { movedTo: string | null; damage: string | null } {
  const file = resolve(path);
  try {
    attachSqlite(db, path, alias, options);
    const rows = db.query<{ quick_check: string }, []>(`PRAGMA ${alias}.quick_check`).all();
    const text = rows.map((r) => r.quick_check).join("; ");
    if (text !== "ok") throw new DamagedDatabaseError(options.label, file, text.slice(0, 200));
    return { movedTo: null, damage: null };
  } catch (error) {
    const damage = error instanceof DamagedDatabaseError ? error : asDamage(error, options.label, file);
    if (damage === null) throw error;
    const attached = db.query<{ name: string }, []>("PRAGMA database_list").all().some((d) => d.name === alias);
    if (attached) db.run(`DETACH DATABASE ${alias}`);
    const movedTo = moveAside(file);
    attachSqlite(db, path, alias, options);
    return { movedTo, damage: damage.message };
  }
}

/**
 * Attaches another database file to an open connection under `alias`, sets it up the same way
 * and migrates it, so that one transaction on `db` can write both files. A rollback undoes both;
 * in WAL mode a crash in the instant between the two files' commits can keep one and not the
 * other (SQLite's documented limit for attached WAL databases).
 */
export function attachSqlite(db: Database, path: string, alias: string, options: SqliteOptions): void {
  if (!/^[a-z_][a-z0-9_]*$/i.test(alias)) throw new RangeError(`Invalid schema alias "${alias}"`);
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
    db.query("ATTACH DATABASE ? AS " + alias).run(file);
  } catch (error) {
    const damage = asDamage(error, options.label, file);
    if (damage !== null) throw damage;
    throw new StoreError(`Cannot attach the ${options.label} "${file}": ${describe(error)}`, {
      help: "Check that the directory exists and is writable by the user running acoupi",
      cause: error,
    });
  }
  try {
    configureSchema(db, alias, file, options);
  } catch (error) {
    throw asDamage(error, options.label, file) ?? error;
  }
}

function configureSchema(db: Database, schema: string, file: string, options: SqliteOptions): void {
  const mode = db.query<{ journal_mode: string }, []>(`PRAGMA ${schema}.journal_mode = WAL`).get();
  if (mode?.journal_mode.toLowerCase() !== "wal") {
    throw new StoreError(`Cannot switch the ${options.label} "${file}" to WAL mode: it stays in ${mode?.journal_mode ?? "an unknown"} mode`, {
      help: "Keep acoupi's databases on a local filesystem (not a network share)",
    });
  }
  db.run(`PRAGMA ${schema}.synchronous = ${options.synchronous ?? "FULL"}`);
  migrate(db, schema, file, options);
}

/**
 * The damaged copies of `path` that `openSqliteRecovering` moved aside, oldest first. They stay
 * until someone looks at them (or deletes them), and until then the store reports degraded.
 */
export function damagedCopiesOf(path: string): string[] {
  const dir = dirname(resolve(path));
  const prefix = `${basename(path)}.corrupt-`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && !n.endsWith("-wal") && !n.endsWith("-shm"))
    .toSorted()
    .map((n) => join(dir, n));
}

/** Opens an existing database read-only for another process (status); null if the file is absent. */
export function openSqliteReadonly(path: string, label: string): Database | null {
  const file = resolve(path);
  if (!existsSync(file)) return null;
  try {
    const db = new Database(file, { readonly: true, strict: true });
    db.run(`PRAGMA busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    throw new StoreError(`Cannot read the ${label} "${file}": ${describe(error)}`, {
      help: "Check that the file is readable by this user",
      cause: error,
    });
  }
}

