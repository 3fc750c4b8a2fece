/**
 * @module Opening bun:sqlite databases the one way acoupi wants them: WAL (so `acoupi status`
 * can read while the runner writes), foreign keys on, a busy timeout, `synchronous = FULL`, and
 * versioned migrations through `PRAGMA user_version`. FULL rather than NORMAL because a field
 * sensor loses power for real: in WAL mode NORMAL may lose every commit since the last
 * checkpoint on a power cut, and the outbox promises that a created message survives. The cost
 * is one fsync per commit, which is small at a sensor's write rate (a few commits per recording);
 * bench/store.ts measures it. Also holds the small helpers the stores share: chunking ID lists
 * under SQLite's bound-variable limit, and the sortable UTC text format.
 */
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { StoreError } from "../errors.ts";
import { fsyncDir } from "./atomic-write.ts";

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

export type Synchronous = "FULL" | "NORMAL";

export interface SqliteOptions {
  /** Names the database in error messages, e.g. "metadata store". */
  label: string;
  /** Migration i brings the schema to version i + 1. */
  migrations: readonly Migration[];
  /** Default FULL (see the module comment); NORMAL is for benchmarks and scratch files. */
  synchronous?: Synchronous;
  busyTimeoutMs?: number;
  /** Run `PRAGMA quick_check` on open, so a truncated file is found now rather than mid-run. */
  quickCheck?: boolean;
  /**
   * Throws when an existing file holds some other schema (checked before migrating it), so a
   * foreign file is named as such instead of failing a migration or a version check.
   */
  recognise?: (db: Database, schema: string, file: string) => void;
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

/** acoupi chunks at 900; SQLite's own limit is 32766 since 3.32, so this is very safe. */
export const MAX_BOUND_VARIABLES = 900;
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

/** Reads the schema version of `schema` (user_version). */
export function schemaVersion(db: Database, schema = "main"): number {
  return db.query<{ user_version: number }, []>(`PRAGMA ${schema}.user_version`).get()?.user_version ?? 0;
}

function migrate(db: Database, schema: string, file: string, options: SqliteOptions): void {
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
    throw new StoreError(`Cannot migrate the ${options.label} "${file}" from schema version ${current}: ${describe(error)}`, {
      help: "Restore the file from a backup, or point the config at a new database file",
      cause: error,
    });
  }
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

/** Splits a list into chunks that fit under the bound-variable limit. */
export function chunks<T>(items: readonly T[], size = MAX_BOUND_VARIABLES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `?, ?, ?` for an IN list of n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

/**
 * Stored timestamps: fixed-width UTC ISO text with milliseconds and `Z`
 * (`2024-05-01T14:03:00.000Z`), so text order is time order.
 */
export function sqlTime(date: Date): string {
  return date.toISOString();
}

/** Wraps any failure of `fn` in a StoreError naming the operation; StoreErrors pass through. */
export function storeCall<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot ${what}: ${describe(error)}`, { cause: error });
  }
}
