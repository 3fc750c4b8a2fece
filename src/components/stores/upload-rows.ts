/**
 * @module The uploader's rows in the metadata database (table `uploads`, schema v4): what is
 * left to upload, a multipart upload in progress (resumed after a crash), and the confirmed
 * uploads. Each change is its own transaction, so a part recorded is a part never sent again.
 */
import type { Database } from "bun:sqlite";
import type { PathRoots } from "./_paths.ts";
import { RECORDING_SELECT, toRecording, type RecordingRow } from "./_rows.ts";
import type { Recording } from "../../data/index.ts";
import { sqlTime } from "../../system/sqlite-helpers.ts";

export interface UploadRow {
  key: string;
  recording_id: string | null;
  sha256: string;
  bytes: number;
  upload_id: string | null;
  parts: string;
  uploaded_on: string | null;
}

const NOT_UPLOADED = "NOT EXISTS (SELECT 1 FROM uploads u WHERE u.recording_id = r.id AND u.uploaded_on IS NOT NULL)";

/** Saved recordings with a file and no confirmed upload, oldest first. */
export function pendingRecordings(db: Database, roots: PathRoots | undefined, limit = -1): Recording[] {
  const sql = `${RECORDING_SELECT} WHERE r.state = 'saved' AND r.path IS NOT NULL AND ${NOT_UPLOADED} ORDER BY r.created_on, r.id LIMIT ?`;
  return db.query<RecordingRow, [number]>(sql).all(limit).map((row) => toRecording(row, roots));
}

export function uploadRow(db: Database, key: string): UploadRow | null {
  return db.query<UploadRow, [string]>("SELECT * FROM uploads WHERE key = ?").get(key);
}

/** Starts (or restarts) tracking `key` for this content, forgetting any earlier attempt. */
export function beginUpload(db: Database, row: Pick<UploadRow, "key" | "recording_id" | "sha256" | "bytes">): void {
  db.query(
    `INSERT INTO uploads (key, recording_id, sha256, bytes, upload_id, parts, uploaded_on) VALUES ($key, $recording_id, $sha256, $bytes, NULL, '[]', NULL)
     ON CONFLICT (key) DO UPDATE SET recording_id = excluded.recording_id, sha256 = excluded.sha256, bytes = excluded.bytes, upload_id = NULL, parts = '[]', uploaded_on = NULL`,
  ).run(row);
}

export function setUploadId(db: Database, key: string, uploadId: string): void {
  db.query("UPDATE uploads SET upload_id = ?, parts = '[]' WHERE key = ?").run(uploadId, key);
}

export function setParts(db: Database, key: string, etags: readonly string[]): void {
  db.query("UPDATE uploads SET parts = ? WHERE key = ?").run(JSON.stringify(etags), key);
}

export function markUploaded(db: Database, key: string, at: Date): void {
  db.query("UPDATE uploads SET uploaded_on = ?, upload_id = NULL WHERE key = ?").run(sqlTime(at), key);
}

export interface UploadTotals {
  uploaded: number;
  uploadedBytes: number;
}

export function uploadTotals(db: Database): UploadTotals {
  const row = db.query<{ n: number; bytes: number | null }, []>("SELECT count(*) AS n, sum(bytes) AS bytes FROM uploads WHERE uploaded_on IS NOT NULL").get();
  return { uploaded: row?.n ?? 0, uploadedBytes: row?.bytes ?? 0 };
}
