/**
 * @module Makes a backup's metadata copy portable: migrated to the current schema (so an older
 * sensor's database gains `path_root`) and every path under the sensor's recordings or temp
 * folder stored relative to it, so the copy finds its recordings in `recordings/` beside it.
 */
import { relativizePaths, type PathRoots } from "./_paths.ts";
import { assertOwnSchema, storeMigrations } from "./_schema.ts";
import { openSqlite } from "../../system/sqlite.ts";

export function relativizeMetadataCopy(file: string, roots: PathRoots): void {
  const db = openSqlite(file, { label: "metadata copy", migrations: storeMigrations(roots), recognise: assertOwnSchema, synchronous: "NORMAL" });
  try {
    db.transaction(() => relativizePaths(db, "main", roots))();
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    db.run("PRAGMA journal_mode = DELETE");
  } finally {
    db.close();
  }
}
