/**
 * @module `acoupi backup`'s work: a consistent snapshot of the sensor's data in a fixed layout
 * (`metadata.db`, `messages.db`, `recordings/…`, `SHA256SUMS`). The databases are snapshotted
 * first (so the backup holds every row committed before it began), to temp names; then each
 * recording not already in the backup is copied (temp name, fdatasync, rename); last the
 * database copies are renamed into place and the manifest is replaced. A run that stops half way
 * (killed, power cut, full disk) leaves the previous manifest and databases as they were, and the
 * next run skips what is already there. No configuration is copied, so no secret reaches a
 * medium that cannot keep mode 0600.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { BackupError } from "../errors.ts";
import { CHUNK_BYTES, copyFileVerified, writeDurable } from "./copy-file.ts";
import { checkDestination, FAT_MAX_FILE_BYTES, fileSystemOf, isFat, type LiveFolders } from "./destination.ts";
import { MANIFEST, manifestText, readManifest } from "./manifest.ts";
import { snapshotDatabase } from "./snapshot-db.ts";

export interface BackupSources {
  metadata: string;
  /** The outbox database, when the program has one. */
  messages: string | null;
  recordings: string;
}

export interface BackupOptions {
  out: string;
  sources: BackupSources;
  /** The live folders the destination must stay clear of, by name. */
  live: LiveFolders;
  /** Bytes per second for copying recordings; 0 for unpaced. */
  maxRate?: number;
  /** Changes the metadata copy before it is hashed (relative paths). */
  prepareMetadata?: (file: string) => void;
  onFile?: (relativePath: string, bytes: number) => void;
}

export interface BackupResult {
  out: string;
  databases: string[];
  copied: number;
  copiedBytes: number;
  /** Already in the backup with the same size and a manifest entry. */
  unchanged: number;
  /** Recordings retention deleted while the backup ran. */
  vanished: number;
  /** Recordings over the destination's file size limit, with their sizes. */
  tooLarge: Array<{ path: string; bytes: number }>;
  fileSystem: string | null;
}

/** Every regular file under `root` (relative, `/`-separated), skipping hidden temp files and symlinks. */
export function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const rel = join(entry.parentPath, entry.name).slice(root.length + 1);
    if (rel.split(sep).some((part) => part.startsWith("."))) continue;
    out.push(rel.split(sep).join("/"));
  }
  return out.sort();
}

/** Free bytes at `dir`, or null when the file system does not say. */
function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOSYS") return null;
    throw error;
  }
}

function failure(error: unknown, out: string, what: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  // FAT through FUSE reports a full disk as EPERM or EIO: the free space tells them apart.
  const full = code === "ENOSPC" || code === "EDQUOT" || ((code === "EPERM" || code === "EIO") && (freeBytes(out) ?? Infinity) < CHUNK_BYTES);
  if (full) {
    return new BackupError(`The backup destination "${out}" is full: stopped while writing ${what}; the last complete backup there is intact`, {
      help: "Free space on it or use a larger medium, then run `acoupi backup` again: it continues where it stopped",
      cause: error,
    });
  }
  if (code === "EFBIG") {
    return new BackupError(`The file system at "${out}" cannot hold ${what}: it is over its file size limit (4 GiB on FAT32)`, {
      help: "Format the stick as exFAT, or use shorter recordings (recording.duration)",
      cause: error,
    });
  }
  if (code === "EACCES" || code === "EROFS" || code === "EPERM") {
    return new BackupError(`Cannot write the backup into "${out}": ${(error as Error).message}`, {
      help: "Check that the folder is writable (a read-only or write-protected stick cannot take a backup)",
      cause: error,
    });
  }
  return error;
}

export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const out = checkDestination(options.out, options.live);
  const { sources } = options;
  if (!existsSync(sources.metadata)) {
    throw new BackupError(`There is no metadata database at "${sources.metadata}" to back up`, { help: "Start a deployment with `acoupi start` first" });
  }
  const fs = fileSystemOf(out);
  const result: BackupResult = { out, databases: [], copied: 0, copiedBytes: 0, unchanged: 0, vanished: 0, tooLarge: [], fileSystem: fs?.type ?? null };
  const previous = readManifest(out);
  const sums = new Map<string, string>();
  const dbs: Array<[name: string, source: string | null]> = [["metadata.db", sources.metadata], ["messages.db", sources.messages]];
  const staging = mkdtempSync(join(tmpdir(), "acoupi-backup-"));
  const staged: Array<[name: string, file: string]> = [];
  let writing = "the folder";
  try {
    mkdirSync(join(out, "recordings"), { recursive: true });
    for (const [name, source] of dbs) {
      if (source === null || !existsSync(source)) continue;
      const file = join(staging, name);
      await snapshotDatabase(source, file, name === "metadata.db" ? options.prepareMetadata : undefined);
      staged.push([name, file]);
    }
    for (const rel of filesUnder(sources.recordings)) {
      const key = `recordings/${rel}`;
      const source = join(sources.recordings, rel);
      const target = join(out, key);
      let size: number;
      try {
        size = statSync(source).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        result.vanished++;
        continue;
      }
      const known = previous.get(key);
      if (known !== undefined && existsSync(target) && lstatSync(target).size === size) {
        sums.set(key, known);
        result.unchanged++;
        continue;
      }
      if (isFat(fs) && size > FAT_MAX_FILE_BYTES) {
        result.tooLarge.push({ path: key, bytes: size });
        continue;
      }
      writing = key;
      mkdirSync(dirname(target), { recursive: true });
      try {
        const copy = await copyFileVerified(source, target, { maxRate: options.maxRate });
        sums.set(key, copy.sha256);
        result.copied++;
        result.copiedBytes += copy.bytes;
        options.onFile?.(key, copy.bytes);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || existsSync(source)) throw error;
        result.vanished++;
      }
    }
    for (const [name, file] of staged) {
      writing = name;
      sums.set(name, (await copyFileVerified(file, join(out, name))).sha256);
      result.databases.push(name);
    }
    writing = MANIFEST;
    writeDurable(join(out, MANIFEST), manifestText(sums));
    return result;
  } catch (error) {
    throw failure(error, out, writing);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
