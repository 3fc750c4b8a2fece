/**
 * @module Measuring space: the bytes a folder tree takes on disk (allocated blocks, so a sparse
 * or partly written file counts what it really holds), and the size and free space of the
 * filesystem holding a path. Synchronous: retention runs on the main thread between recordings.
 */
import { existsSync, lstatSync, readdirSync, statfsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { AcoupiError } from "../../errors.ts";

/** Bytes a file takes on disk; 0 when it does not exist. */
export function fileBytes(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = lstatSync(path);
  return stats.blocks > 0 ? stats.blocks * 512 : stats.size;
}

/**
 * Bytes every file under `dir` takes on disk (0 when it does not exist). A recording still being
 * captured (`.part`) counts at least `partBytes`, the size it will reach.
 */
export function treeBytes(dir: string, partBytes = 0): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path, partBytes);
    else if (entry.isFile()) total += entry.name.endsWith(".part") ? Math.max(partBytes, fileBytes(path)) : fileBytes(path);
  }
  return total;
}

export interface FilesystemSpace {
  /** Size of the filesystem. */
  total: number;
  /** Free to unprivileged users (f_bavail). */
  free: number;
  /** The device id of the filesystem (stat's st_dev), to tell whether two folders share one. */
  device: number;
}

/** The space of the filesystem that holds, or will hold, `path` (its nearest existing folder). */
export function filesystemSpace(path: string): FilesystemSpace {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    const stats = statfsSync(existing);
    return { total: Number(stats.blocks) * Number(stats.bsize), free: Number(stats.bavail) * Number(stats.bsize), device: statSync(existing).dev };
  } catch (cause) {
    throw new AcoupiError("disk", `Cannot read the free space of "${path}": ${cause instanceof Error ? cause.message : String(cause)}`, {
      help: "Check that the folder exists (paths.recordings, paths.tmp_audio)",
      cause,
    });
  }
}
