/**
 * @module Database snapshots around an update that migrates a schema. Before the new binary
 * runs, each database is copied with `VACUUM INTO` (a consistent copy even while another process
 * writes, as the backup API gives) to `<file>.pre-update-<version>`, under a temp name renamed
 * when complete. An automatic rollback moves the migrated file aside, with its -wal and -shm,
 * to `<file>.rolled-back-<UTC time>`, so the rows written since the snapshot are kept, and puts a
 * copy of the snapshot in its place for the old binary.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { UpdateError } from "../errors.ts";
import { fsyncDir } from "../system/atomic-write.ts";

export interface Snapshot {
  /** The database file. */
  file: string;
  snapshot: string;
  /** Its schema version when the snapshot was taken. */
  schemaVersion: number;
}

function stamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

export function snapshotDatabase(file: string, version: string): Snapshot {
  const snapshot = `${file}.pre-update-${version}`;
  const tmp = `${snapshot}.part`;
  rmSync(tmp, { force: true });
  let db: Database | null = null;
  try {
    db = new Database(file, { readwrite: true, create: false });
    db.run("PRAGMA busy_timeout = 10000");
    const schemaVersion = db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
    db.query("VACUUM INTO ?").run(tmp);
    db.close();
    db = null;
    renameSync(tmp, snapshot);
    fsyncDir(dirname(file));
    return { file, snapshot, schemaVersion };
  } catch (error) {
    db?.close();
    rmSync(tmp, { force: true });
    throw new UpdateError(`Cannot snapshot the database ${file} before the update: ${error instanceof Error ? error.message : String(error)}; nothing was changed`, {
      help: `Free some space in ${dirname(file)} and try again`,
      cause: error,
    });
  }
}

/** Moves the current file aside (returned) and puts the snapshot back in its place. */
export function restoreSnapshot(snap: Snapshot, when = new Date()): string {
  const aside = `${snap.file}.rolled-back-${stamp(when)}`;
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(snap.file + suffix)) renameSync(snap.file + suffix, aside + suffix);
  }
  const tmp = `${snap.file}.restore`;
  copyFileSync(snap.snapshot, tmp);
  const db = new Database(tmp);
  // The copy is a plain (rollback-journal) file from VACUUM INTO: back to WAL, as acoupi opens it.
  db.run("PRAGMA journal_mode = WAL");
  db.close();
  renameSync(tmp, snap.file);
  fsyncDir(dirname(snap.file));
  return aside;
}
