/**
 * @module How the metadata database stores a recording's path: relative to the root it lies
 * under (`recordings`: `paths.recordings`, `tmp`: `paths.tmp_audio`), with that root's name in
 * `path_root`, so a copied database works wherever its recordings are put beside it. A path under
 * neither root stays absolute with a null root. The runner's store converts on every write and
 * read, so the rest of the code keeps seeing absolute paths. Internal to the stores folder (and
 * the backup, which converts copies of older databases).
 */
import type { Database } from "bun:sqlite";
import { isAbsolute, join, relative, sep } from "node:path";
import { StoreError } from "../../errors.ts";

/** The folders that stored paths are relative to. */
export interface PathRoots {
  recordings: string;
  tmp: string;
}

export type PathRoot = keyof PathRoots;

export interface StoredPath {
  path: string | null;
  root: PathRoot | null;
}

function under(path: string, dir: string): string | null {
  const rel = relative(dir, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}

/** The stored form of an absolute path: relative to the deepest root holding it, else itself. */
export function toStored(path: string | null, roots: PathRoots | undefined): StoredPath {
  if (path === null) return { path: null, root: null };
  if (roots === undefined) return { path, root: null };
  const candidates = (Object.keys(roots) as PathRoot[]).sort((a, b) => roots[b].length - roots[a].length);
  for (const root of candidates) {
    const rel = under(path, roots[root]);
    if (rel !== null) return { path: rel, root };
  }
  return { path, root: null };
}

/** The absolute path of a stored one. */
export function fromStored(path: string | null, root: string | null, roots: PathRoots | undefined): string | null {
  if (path === null || root === null) return path;
  if (root !== "recordings" && root !== "tmp") throw new StoreError(`A recording's path_root is "${root}", which this acoupi does not know`);
  if (roots === undefined) {
    throw new StoreError(`Cannot resolve the stored path "${path}": it is relative to ${root === "tmp" ? "paths.tmp_audio" : "paths.recordings"}, and no such folder was given`);
  }
  return join(roots[root], path);
}

/**
 * Makes every absolute path under a root relative to it (a database written before paths were
 * relative, or by a store opened without roots). Returns how many rows changed.
 */
export function relativizePaths(db: Database, schema: string, roots: PathRoots): number {
  const rows = db.query<{ id: string; path: string }, []>(`SELECT id, path FROM ${schema}.recordings WHERE path_root IS NULL AND path IS NOT NULL`).all();
  const update = db.prepare<unknown, [string, string, string]>(`UPDATE ${schema}.recordings SET path = ?, path_root = ? WHERE id = ?`);
  let changed = 0;
  for (const row of rows) {
    const stored = toStored(row.path, roots);
    if (stored.root === null || stored.path === null) continue;
    update.run(stored.path, stored.root, row.id);
    changed++;
  }
  return changed;
}
