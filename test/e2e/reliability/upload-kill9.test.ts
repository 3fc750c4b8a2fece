/**
 * Upload across a kill -9 of the runner: a real `default` deployment (fake ALSA microphone, 2-minute
 * 48 kHz recordings of 11 MiB, so each goes up in three multipart parts) uploads to s3rver through a
 * fault-injecting proxy, slowed by upload.max_rate. The runner is SIGKILLed after a part is
 * confirmed and before the upload completes; restarted, it resumes the same multipart upload. In
 * the end the recording is in the bucket exactly once with its SHA-256, no multipart upload is
 * left unfinished, and its local file was deleted (delete_after_upload) only once confirmed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { isProcessAlive, readLivePid } from "../../../src/system/pidfile.ts";
import { S3Bucket } from "../../../src/upload/s3-bucket.ts";
import { startFaultProxy, type FaultProxy } from "../../helpers/s3-fault-proxy.ts";
import { S3_KEY_ID, S3_SECRET, startS3Server, type S3Server } from "../../helpers/s3-server.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";
import { acoupiArgv, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { REPO } from "../../helpers/cli.ts";
import { demoAudio } from "../../helpers/deployment.ts";

interface UploadState {
  key: string;
  parts: string;
  uploaded_on: string | null;
  upload_id: string | null;
}

describe("upload across kill -9 of the runner", () => {
  let s3: S3Server;
  let proxy: FaultProxy;
  let d: Deployment;

  beforeAll(async () => {
    s3 = await startS3Server();
    proxy = startFaultProxy(s3.endpoint);
    const audio = demoAudio(300);
    d = deploy({ mic: new Int16Array(audio.buffer, audio.byteOffset, audio.byteLength / 2), prefix: "acoupi-upload-kill9-" });
  });
  afterAll(async () => {
    await d?.cleanup();
    proxy?.stop();
    await s3?.stop();
  });

  const metadata = () => join(d.home.acoupiHome, "storages/metadata.db");
  function query<T>(sql: string): T[] {
    if (!existsSync(metadata())) return [];
    const db = new Database(metadata(), { readonly: true });
    try {
      db.run("PRAGMA busy_timeout = 5000");
      return db.query(sql).all() as T[];
    } catch (error) {
      if (error instanceof Error && /no such table/.test(error.message)) return [];
      throw error;
    } finally {
      db.close();
    }
  }

  test("resumes the multipart upload after the kill: one object with its SHA-256, none unfinished, the local file deleted only once confirmed", async () => {
    const setup = d.run([
      "setup", "--program", "default", "--no-prompt", "--timezone", "UTC",
      "--microphone.device_name", d.mic.device, "--microphone.samplerate", "48000",
      "--recording.duration", "120", "--recording.interval", "600",
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
      "--file_management.interval", "1",
      "--upload.endpoint", proxy.endpoint, "--upload.bucket", s3.bucket,
      "--upload.access_key_id", S3_KEY_ID, "--upload.secret_access_key", S3_SECRET,
      "--upload.max_rate", String(2 * 1024 * 1024), "--upload.interval", "1", "--upload.delete_after_upload", "true",
    ]);
    expect(setup.code, said(setup)).toBe(0);
    const start = d.run(["start", "--name", "uploads", "--no-check"]);
    expect(start.code, said(start)).toBe(0);
    const pidFile = acoupiPaths(d.home.acoupiHome).pidFile;

    const roots = { recordings: join(d.home.acoupiHome, "storages/recordings"), tmp: join(d.home.acoupiHome, "tmp") };
    const saved = await waitFor("a saved recording", () => query<{ path: string }>(`SELECT ${absolutePathSql(roots)} AS path FROM recordings WHERE state = 'saved'`)[0] ?? null, 90_000);
    const original = createHash("sha256").update(readFileSync(saved.path)).digest("hex");
    const mid = await waitFor("a part confirmed and the upload not complete", () => {
      const row = query<UploadState>("SELECT key, parts, uploaded_on, upload_id FROM uploads")[0];
      return row !== undefined && row.uploaded_on === null && (JSON.parse(row.parts) as string[]).length >= 1 ? row : null;
    }, 90_000);
    const pid = readLivePid(pidFile);
    expect(pid).not.toBeNull();
    process.kill(pid as number, "SIGKILL");
    await waitFor("the runner to die", () => !isProcessAlive(pid as number), 10_000);
    expect(existsSync(saved.path)).toBe(true);
    expect(await s3.keys()).toEqual([]);
    const creates = proxy.counts.create ?? 0;

    // As systemd would: the deployment is still active, so its runner is started again.
    const runner = Bun.spawn([...acoupiArgv(), "run"], { env: { ...process.env, ...d.env }, cwd: REPO, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    await waitFor("the runner to start again", () => readLivePid(pidFile) === runner.pid, 60_000);
    const done = await waitFor("the upload confirmed", () => query<UploadState>(`SELECT key, parts, uploaded_on, upload_id FROM uploads WHERE key = '${mid.key}'`).find((r) => r.uploaded_on !== null) ?? null, 120_000);
    expect(done.upload_id).toBeNull();
    expect(proxy.counts.create ?? 0).toBe(creates); // the same multipart upload went on
    await waitFor("the local copy deleted after the confirmed upload", () => !existsSync(saved.path), 30_000);
    // The backlog is in `acoupi status` (from the status file the runner rewrites every 10 s).
    const status = await waitFor("the status to show the emptied backlog", () => {
      const r = d.run(["status", "--json"]);
      const upload = (JSON.parse(r.stdout) as { status?: { components?: Record<string, Record<string, unknown>> } }).status?.components?.upload;
      return upload !== undefined && upload.backlog_files === 0 && Number(upload.uploaded) >= 1 ? upload : null;
    }, 40_000);
    expect(status.backlog_bytes).toBe(0);
    const stop = d.run(["stop"]);
    expect(stop.code, said(stop)).toBe(0);

    // The restarted runner made a recording of its own, uploaded too: every upload is one object,
    // one recording each, carrying the SHA-256 the sensor computed.
    const uploads = query<{ key: string; recording_id: string; sha256: string }>("SELECT key, recording_id, sha256 FROM uploads WHERE uploaded_on IS NOT NULL");
    const keys = await s3.keys();
    expect(keys).toEqual(uploads.map((u) => u.key).sort());
    expect(keys).toContain(mid.key);
    expect(new Set(uploads.map((u) => u.recording_id)).size).toBe(uploads.length);
    for (const key of keys) expect(key).toMatch(/^acoupi\/test-device-0001\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.wav$/);
    const bucket = new S3Bucket({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET });
    expect((await bucket.head(mid.key))?.meta.sha256).toBe(original);
    for (const u of uploads) expect((await bucket.head(u.key))?.meta.sha256).toBe(u.sha256);
    expect(s3.unfinishedUploads()).toEqual([]);
  }, 300_000);
});
