/**
 * @module Replacing the installed binary without a moment where it is missing or torn, and
 * keeping the previous one: the new file is written beside it (same folder, so a rename), fsynced,
 * the old one is hard-linked to `<binary>.previous`, then the new one is renamed over it and the
 * folder fsynced. A rollback renames a link of `.previous` back over it the same way. A running
 * process keeps the inode it started from, so the old runner is unaffected until restarted.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UpdateError } from "../errors.ts";
import { fsyncDir } from "../system/atomic-write.ts";

export function previousPath(binary: string): string {
  return `${binary}.previous`;
}

/** A scratch name in the binary's own folder, for the candidate (so the swap is a rename). */
export function candidatePath(binary: string): string {
  return join(dirname(binary), `.${basename(binary)}.update-${process.pid}`);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Links (or, where links are refused, copies) `from` to `to` atomically through a temp name. */
function keepCopy(from: string, to: string): void {
  const tmp = `${to}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  try {
    linkSync(from, tmp);
  } catch (_noHardLinks) {
    // A filesystem without hard links (FAT on a USB stick): a copy keeps the bytes just the same.
    copyFileSync(from, tmp);
    fsyncFile(tmp);
  }
  renameSync(tmp, to);
}

/** Puts `candidate` (in the binary's folder) in place of `binary`, keeping the old one as `.previous`. */
export function swapInBinary(candidate: string, binary: string): void {
  try {
    fsyncFile(candidate);
    if (existsSync(binary)) keepCopy(binary, previousPath(binary));
    renameSync(candidate, binary);
    fsyncDir(dirname(binary));
  } catch (error) {
    rmSync(candidate, { force: true });
    throw new UpdateError(`Cannot replace ${binary}: ${error instanceof Error ? error.message : String(error)}; the installed binary is unchanged`, {
      help: `Run self-update as the owner of ${binary} (or with sudo)`,
      cause: error,
    });
  }
}

/** Puts `.previous` back in place of `binary` (the rollback). */
export function restorePreviousBinary(binary: string): void {
  const previous = previousPath(binary);
  if (!existsSync(previous)) throw new UpdateError(`Cannot roll back: ${previous} is missing`, { help: "Reinstall acoupi with scripts/install.sh" });
  keepCopy(previous, `${binary}.restore`);
  renameSync(`${binary}.restore`, binary);
  fsyncDir(dirname(binary));
}
