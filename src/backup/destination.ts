/**
 * @module Checking a backup's destination before anything is written: it must be a folder (or
 * not exist yet), and it must not be the live data folder, inside it, or hold it (a backup into
 * its own source would copy itself). Also finds the file system under the destination, from the
 * mount table, so a FAT32 stick's 4 GiB file limit is known before a large RF64 file is tried.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { BackupError } from "../errors.ts";

/** The live folders a backup reads: $ACOUPI_HOME, the recordings, temp audio and database folders. */
export interface LiveFolders {
  [name: string]: string;
}

/** The real path of `path`, or of its nearest existing parent joined with the rest. */
export function realish(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return resolve(realpathSync(existing), relative(existing, absolute));
}

function within(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && rel !== "..");
}

/** Throws BackupError when `out` is a file, or the live data (by its name) overlaps it. */
export function checkDestination(out: string, live: LiveFolders): string {
  const target = realish(out);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new BackupError(`Cannot back up into "${out}": it is a file, not a folder`, { help: "Pass a folder with --out, e.g. the USB stick's mount point" });
  }
  for (const [name, folder] of Object.entries(live)) {
    const real = realish(folder);
    if (within(target, real)) {
      throw new BackupError(`Cannot back up into "${out}": it is inside the live data folder ${name} (${real})`, {
        help: "Back up to another disk or folder, e.g. a USB stick at /media/usb/acoupi",
      });
    }
    if (within(real, target)) {
      throw new BackupError(`Cannot back up into "${out}": it holds the live data folder ${name} (${real}), so the backup would copy itself`, {
        help: "Back up to a folder of its own, e.g. /media/usb/acoupi",
      });
    }
  }
  return target;
}

export interface FileSystemInfo {
  mountPoint: string;
  type: string;
}

/** The mount whose point is the longest prefix of `path` (from /proc/self/mounts), or null. */
export function fileSystemOf(path: string, mounts = "/proc/self/mounts"): FileSystemInfo | null {
  if (!existsSync(mounts)) return null;
  const target = realish(path);
  let best: FileSystemInfo | null = null;
  for (const line of readFileSync(mounts, "utf8").split("\n")) {
    const [, point, type] = line.split(" ");
    if (point === undefined || type === undefined) continue;
    const mountPoint = point.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
    if (within(target, mountPoint) && (best === null || mountPoint.length >= best.mountPoint.length)) best = { mountPoint, type };
  }
  return best;
}

/** FAT12/16/32 (vfat, msdos, fusefat) cap a file at 4 GiB − 1 byte; exFAT does not. */
export const FAT_MAX_FILE_BYTES = 2 ** 32 - 1;

export function isFat(info: FileSystemInfo | null): boolean {
  if (info === null) return false;
  return /(^|\.)(vfat|msdos|fat|fusefat|umsdos)$/.test(info.type);
}
