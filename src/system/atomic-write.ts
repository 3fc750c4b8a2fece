/**
 * @module Crash-safe file replacement: write a temp file beside the target, fsync it, rename it
 * over the target, then fsync the directory. A reader sees the old file or the new one, never a
 * mix, even across a power cut. `durable: false` keeps the rename (readers still never see a
 * torn file while the system runs) but skips both fsyncs, for files that are rewritten every few
 * seconds and hold nothing that is not elsewhere (the runner's status file): after a power cut
 * such a file may be the old one or, on file systems without ext4's rename-replace flush, empty.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface AtomicWriteOptions {
  /** fsync the file and its folder (default true); false for a frequently rewritten, disposable file. */
  durable?: boolean;
}

export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, options: AtomicWriteOptions = {}): void {
  const durable = options.durable ?? true;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w", mode);
  try {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    if (durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  if (durable) fsyncDir(dir);
}
