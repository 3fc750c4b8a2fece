/** @module A file's size, SHA-256 and MD5 in one streamed pass (the checksum carried, and the ETag a whole-object PUT gets). */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export interface FileHashes {
  bytes: number;
  sha256: string;
  md5: string;
}

export async function hashFile(path: string): Promise<FileHashes> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: sha.digest("hex"), md5: md5.digest("hex") };
}
