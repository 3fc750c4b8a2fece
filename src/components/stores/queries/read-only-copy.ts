/**
 * @module Reading a metadata database on a read-only medium (a card mounted read-only on a
 * laptop). In WAL mode SQLite needs the `-shm` index beside the file; when it is missing and
 * cannot be made there, the database cannot be opened in place, even read-only. Then the file and
 * its `-wal` are copied into a private temporary folder and the copy is opened, so the rows still
 * in the `-wal` are read and nothing on the medium is touched; the copy is removed when the
 * process exits. Only if that copy cannot be made (no room in the temporary folder) is the file
 * opened as `immutable`, which reads it in place but misses every row still in the `-wal`; a
 * warning says so.
 */
import { Database, constants } from "bun:sqlite";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError } from "../../../errors.ts";

/** Whether `error` is SQLite failing to open or read a file it may not write beside (CANTOPEN, READONLY). */
export function isReadOnlyMediumError(error: unknown): boolean {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  return code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_READONLY") || /unable to open database file|readonly database/.test(String((error as Error)?.message));
}

function copyAside(file: string): Database {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-readonly-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  try {
    const copy = join(dir, "metadata.db");
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = new Database(copy, { readonly: true, strict: true });
    db.query("SELECT count(*) FROM sqlite_master").get();
    return db;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Opens `file` (which SQLite could not open in place) from a private copy, or as a last resort
 * immutable, with a warning on stderr that rows in its -wal are not read.
 */
export function openFromReadOnlyMedium(file: string, label: string): Database {
  try {
    return copyAside(file);
  } catch (copyError) {
    try {
      const db = new Database(`file:${encodeURI(file)}?immutable=1`, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI);
      db.query("SELECT count(*) FROM sqlite_master").get();
      if (existsSync(`${file}-wal`)) {
        process.stderr.write(`Warning: the ${label} "${file}" is on a read-only medium and could not be copied (${(copyError as Error).message}): it is read as it was at its last checkpoint, without the rows still in its -wal file\n`);
      }
      return db;
    } catch (error) {
      throw new StoreError(`Cannot read the ${label} "${file}" on a read-only medium: ${(error as Error).message}`, {
        help: "Copy the file with its -wal beside it to a writable folder and pass the copy with --db PATH",
        cause: error,
      });
    }
  }
}
