/**
 * @module Copying one file onto a backup medium the crash-safe way: stream it in 1 MiB chunks
 * into `.<name>.partial` beside the target, hashing as it goes, fdatasync it, rename it into
 * place and sync the folder. An interrupted copy leaves only the `.partial`, which the next run
 * overwrites; the final name never holds half a file. Chunks are paced to `maxRate` bytes per
 * second when given, and every chunk yields to the event loop, so a backup shares the disk and the
 * CPU with the recorder instead of hogging them. Failures are thrown as they came (ENOSPC, EFBIG,
 * ENOENT); the caller names them.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export const CHUNK_BYTES = 1 << 20;

export interface CopyResult {
  bytes: number;
  sha256: string;
}

export interface CopyOptions {
  /** Bytes per second; 0 or undefined copies as fast as the disks allow. */
  maxRate?: number;
}

/** The temp name a copy of `target` is written under. */
export function partialName(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial`);
}

/**
 * fsyncs a folder so a rename in it survives a power cut. FAT and exFAT through FUSE refuse to
 * open or sync folders on some kernels (EISDIR, EINVAL, ENOSYS, EPERM); the rename has still
 * happened, and those file systems have no journal to order it anyway, so only those codes pass.
 */
export function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch (error) {
    if (isUnsupported(error)) return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  } finally {
    closeSync(fd);
  }
}

function isUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EISDIR" || code === "EINVAL" || code === "ENOSYS" || code === "EPERM" || code === "ENOTSUP";
}

/** Copies `source` to `target` (temp name, fdatasync, rename); returns its size and SHA-256. */
export async function copyFileVerified(source: string, target: string, options: CopyOptions = {}): Promise<CopyResult> {
  const partial = partialName(target);
  const input = await open(source, "r");
  let output: Awaited<ReturnType<typeof open>> | null = null;
  const hasher = new Bun.CryptoHasher("sha256");
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const started = performance.now();
  let bytes = 0;
  try {
    output = await open(partial, "w");
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, CHUNK_BYTES, bytes);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hasher.update(chunk);
      let written = 0;
      while (written < bytesRead) written += (await output.write(chunk, written, bytesRead - written, bytes + written)).bytesWritten;
      bytes += bytesRead;
      await pace(bytes, started, options.maxRate);
    }
    await output.datasync();
    await output.close();
    output = null;
    renameSync(partial, target);
    syncFolder(dirname(target));
    return { bytes, sha256: hasher.digest("hex") };
  } catch (error) {
    await output?.close();
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await input.close();
  }
}

/** Waits until `bytes` is no more than `maxRate` allows since `started`; otherwise just yields. */
export async function pace(bytes: number, started: number, maxRate: number | undefined): Promise<void> {
  if (maxRate === undefined || maxRate <= 0) {
    await Bun.sleep(0);
    return;
  }
  const due = started + (bytes / maxRate) * 1000;
  await Bun.sleep(Math.max(0, due - performance.now()));
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}

/** Replaces `target` with `text` durably (temp name, fsync, rename, folder sync). */
export function writeDurable(target: string, text: string): void {
  const partial = partialName(target);
  const fd = openSync(partial, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, target);
  syncFolder(dirname(target));
}
