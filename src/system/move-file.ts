/**
 * @module Moving a recording crash-safely: rename within a filesystem, or copy + fsync + rename
 * + unlink across filesystems (e.g. a RAM temp folder to the SD card). The destination never
 * holds a partial file under its final name.
 */
import { copyFileSync, mkdirSync, renameSync, unlinkSync, openSync, fsyncSync, closeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fsyncDir } from "./atomic-write.ts";

/** Moves `from` to `to`; returns the first folder it had to create for `to` (undefined if none). */
export function moveFile(from: string, to: string): string | undefined {
  const created = mkdirSync(dirname(to), { recursive: true });
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    const tmp = join(dirname(to), `.${basename(to)}.part`);
    copyFileSync(from, tmp);
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, to);
    fsyncDir(dirname(to));
    unlinkSync(from);
    return created;
  }
  fsyncDir(dirname(to));
  return created;
}
