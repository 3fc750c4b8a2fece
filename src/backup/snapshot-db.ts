/**
 * @module A consistent copy of a live SQLite database: `VACUUM INTO` on a read-only connection
 * reads one snapshot (every transaction committed before it began, including those still in the
 * `-wal` file, which copying the file would miss) and writes a compact single file in rollback
 * mode, so the copy needs no `-wal` beside it on a USB stick. The copy goes to a temp name; the
 * caller renames it into place once the rest of the backup is done. `prepare` may then change
 * the copy (the metadata copy gets relative paths), before its SHA-256 is taken.
 */
import { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { DEFAULT_BUSY_TIMEOUT_MS } from "../system/sqlite.ts";
import { sha256File } from "./copy-file.ts";

/** Writes a snapshot of `source` to `partial` (replacing a leftover); returns its SHA-256. */
export async function snapshotDatabase(source: string, partial: string, prepare?: (file: string) => void): Promise<string> {
  rmSync(partial, { force: true });
  rmSync(`${partial}-journal`, { force: true });
  const db = new Database(source, { readonly: true, strict: true });
  try {
    db.run(`PRAGMA busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    db.query("VACUUM INTO ?").run(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  prepare?.(partial);
  const copy = new Database(partial, { strict: true });
  try {
    copy.run("PRAGMA journal_mode = DELETE");
  } finally {
    copy.close();
  }
  const file = Bun.file(partial);
  if (!existsSync(partial) || file.size === 0) throw new Error(`VACUUM INTO wrote nothing to ${partial}`);
  await syncFile(partial);
  return sha256File(partial);
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
