/**
 * @module Sending one file to one key, crash-safely and exactly once. The key is looked up
 * first: an object there with this file's SHA-256 (carried as `x-amz-meta-sha256`) and size is
 * already uploaded (a crash after the upload and before it was recorded). Small files go in one
 * PUT; larger ones in 5 MiB parts of a multipart upload whose id and part ETags are recorded as
 * each part is confirmed, so an interrupted upload resumes at the next part instead of starting a
 * second one. Only a HEAD showing the right size and SHA-256 counts as done. A part is hashed
 * through a 1 MiB buffer and then sent as a slice of the file, which fetch streams from disk, so
 * a 5 GiB file takes no more memory than a small one.
 */
import type { Database } from "bun:sqlite";
import { BackupError } from "../errors.ts";
import { pace } from "../backup/copy-file.ts";
import { CHUNK, hashFile, hashRange } from "./file-hashes.ts";
import { S3RequestError, type S3Bucket } from "./s3-bucket.ts";
import { beginUpload, markUploaded, setParts, setUploadId, uploadRow } from "../components/stores/upload-rows.ts";

/** S3 wants parts of at least 5 MiB (but the last). */
export const PART_BYTES = 5 * 1024 * 1024;

export interface SendOptions {
  bucket: S3Bucket;
  db: Database;
  path: string;
  key: string;
  recordingId: string | null;
  /** Bytes per second, or null. */
  maxRate: number | null;
  now: () => Date;
  /** Called after each part or whole PUT with the bytes sent. */
  onBytes?: (bytes: number) => void;
  /** Where a failure that does not stop the upload is reported. */
  warn: (message: string) => void;
}

export type SendResult = "uploaded" | "already-there";

function contentType(path: string): string {
  return path.endsWith(".wav") ? "audio/wav" : path.endsWith(".db") ? "application/vnd.sqlite3" : "application/octet-stream";
}

async function verify(options: SendOptions, sha256: string, bytes: number): Promise<void> {
  const head = await options.bucket.head(options.key);
  if (head === null || head.size !== bytes || head.meta.sha256 !== sha256) {
    const seen = head === null ? "no object" : `${head.size} bytes, sha256 ${head.meta.sha256 ?? "none"}`;
    throw new S3RequestError(200, "VerifyFailed", `after uploading ${options.key} the store holds ${seen}, not ${bytes} bytes with sha256 ${sha256}`);
  }
}

export async function sendFile(options: SendOptions): Promise<SendResult> {
  const { bucket, db, key } = options;
  const file = await hashFile(options.path);
  const meta = { sha256: file.sha256 };
  let row = uploadRow(db, key);
  if (row?.uploaded_on !== null && row?.uploaded_on !== undefined && row.sha256 === file.sha256) return "already-there";
  const head = await bucket.head(key);
  if (head !== null && head.meta.sha256 === file.sha256 && head.size === file.bytes) {
    beginUpload(db, { key, recording_id: options.recordingId, sha256: file.sha256, bytes: file.bytes });
    markUploaded(db, key, options.now());
    return "already-there";
  }
  if (head !== null && row?.upload_id == null) {
    throw new BackupError(`Cannot upload ${options.path}: ${bucket.where} already holds another object at ${key} (sha256 ${head.meta.sha256 ?? "unknown"})`, {
      help: "Give this sensor its own upload.prefix or device id, or remove the other object",
    });
  }
  if (row === null || row.sha256 !== file.sha256 || row.bytes !== file.bytes) {
    if (row?.upload_id) {
      // The file changed since its upload began: that upload's parts are not this file's.
      await bucket.abortMultipart(key, row.upload_id).catch((error: unknown) => options.warn(`Cannot abort the stale multipart upload of ${key}: ${(error as Error).message}`));
    }
    beginUpload(db, { key, recording_id: options.recordingId, sha256: file.sha256, bytes: file.bytes });
    row = uploadRow(db, key);
  }
  const started = performance.now();
  if (file.bytes <= PART_BYTES) {
    const body = { data: Bun.file(options.path), md5: Buffer.from(file.md5, "hex").toString("base64"), sha256: file.sha256 };
    await bucket.put(key, body, meta, contentType(options.path));
    options.onBytes?.(file.bytes);
    await pace(file.bytes, started, options.maxRate ?? undefined);
  } else {
    await sendParts(options, row?.upload_id ?? null, JSON.parse(row?.parts ?? "[]") as string[], file.bytes, meta, started);
  }
  await verify(options, file.sha256, file.bytes);
  markUploaded(db, key, options.now());
  return "uploaded";
}

async function sendParts(
  options: SendOptions,
  resumeId: string | null,
  done: string[],
  bytes: number,
  meta: Record<string, string>,
  started: number,
): Promise<void> {
  const { bucket, db, key } = options;
  let uploadId = resumeId;
  let etags = done;
  if (uploadId === null) {
    uploadId = await bucket.createMultipart(key, meta, contentType(options.path));
    setUploadId(db, key, uploadId);
    etags = [];
  }
  const source = Bun.file(options.path);
  const scratch = Buffer.allocUnsafe(CHUNK);
  let sent = 0;
  try {
    for (let n = etags.length; n * PART_BYTES < bytes; n++) {
      const start = n * PART_BYTES;
      const length = Math.min(PART_BYTES, bytes - start);
      const part = await hashRange(options.path, start, length, scratch);
      if (part.bytes !== length) throw new Error(`${options.path} changed while it was uploaded (read ${part.bytes} of ${length} bytes at part ${n + 1})`);
      const etag = await bucket.uploadPart(key, uploadId, n + 1, { data: source.slice(start, start + length), md5: part.md5, sha256: part.sha256 });
      etags = [...etags, etag];
      setParts(db, key, etags);
      sent += length;
      options.onBytes?.(length);
      // A minor collection per part frees what fetch allocated for it, so memory does not creep up by a part at a time.
      Bun.gc(false);
      await pace(sent, started, options.maxRate ?? undefined);
    }
    await bucket.completeMultipart(key, uploadId, etags);
  } catch (error) {
    // The upload is gone on the server (expired, aborted): start this file again next time.
    if (error instanceof S3RequestError && error.code === "NoSuchUpload") beginUpload(db, { key, recording_id: options.recordingId, sha256: meta.sha256 ?? "", bytes });
    throw error;
  }
}
