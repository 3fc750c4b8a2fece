/**
 * @module A file's size, SHA-256 and MD5 in one pass, read through one reused 1 MiB buffer, so
 * hashing a 5 GiB recording allocates nothing per chunk (streams would leave a 1 MiB buffer of
 * garbage per chunk for the collector, and the process's memory would grow with the file).
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

export interface FileHashes {
  bytes: number;
  sha256: string;
  md5: string;
}

export const CHUNK = 1 << 20;

export async function hashFile(path: string): Promise<FileHashes> {
  const hashes = await hashRange(path, 0, Number.POSITIVE_INFINITY);
  return { bytes: hashes.bytes, sha256: hashes.sha256, md5: Buffer.from(hashes.md5, "base64").toString("hex") };
}

/** Size, SHA-256 (hex) and MD5 (base64, as Content-MD5 wants it) of `length` bytes from `start`. */
export async function hashRange(path: string, start: number, length: number, buffer: Buffer = Buffer.allocUnsafe(CHUNK)): Promise<FileHashes> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  const handle = await open(path, "r");
  let bytes = 0;
  try {
    while (bytes < length) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, length - bytes), start + bytes);
      if (bytesRead === 0) break;
      sha.update(buffer.subarray(0, bytesRead));
      md5.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { bytes, sha256: sha.digest("hex"), md5: md5.digest("base64") };
}
