/**
 * @module The roots a report connection resolves stored paths against: a temp table (which a
 * read-only connection may write) that the report queries read, so listings, exports, the page
 * and spectrograms see absolute paths however the database stores them. Kept apart from
 * open-metadata.ts so the page can give its own connection the roots.
 */
import type { Database } from "bun:sqlite";
import type { PathRoots } from "../_paths.ts";

/**
 * Gives a read-only connection the roots its stored paths are relative to (a temp table, which a
 * read-only connection may write), so the report queries return absolute paths.
 */
export function installPathRoots(db: Database, roots: PathRoots): void {
  db.run("CREATE TEMP TABLE IF NOT EXISTS path_roots (name TEXT PRIMARY KEY, dir TEXT NOT NULL)");
  const insert = db.prepare("INSERT OR REPLACE INTO temp.path_roots (name, dir) VALUES (?, ?)");
  for (const [name, dir] of Object.entries(roots)) insert.run(name, dir.replace(/\/+$/, ""));
}

