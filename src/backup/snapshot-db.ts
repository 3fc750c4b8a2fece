/**
 * @module A consistent copy of a live SQLite database: `VACUUM INTO` on a read-only connection
 * reads one snapshot (every transaction committed before it began, including those still in the
 * `-wal` file, which copying the file would miss) and writes a compact single file in rollback
 * mode, so the copy needs no `-wal` beside it on a USB stick. The snapshot is written to a local
 * staging folder, not to the destination: SQLite needs locks and shared memory that FAT through
 * FUSE does not offer, and the caller copies the finished file over like any other. `prepare`
 * may then change the copy (the metadata copy gets relative paths).
 */
import { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { DEFAULT_BUSY_TIMEOUT_MS } from "../system/sqlite.ts";

/** Writes a snapshot of `source` to `partial` (replacing a leftover). */
export async function snapshotDatabase(source: string, partial: string, prepare?: (file: string) => void): Promise<void> {
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
}
