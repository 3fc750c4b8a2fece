/**
 * S3Uploader against a real S3 server (s3rver on loopback) behind a fault-injecting proxy: keys
 * that name the sensor and the day, exactly one object per recording with its SHA-256, an outage
 * in the middle of a multipart upload, a wrong key, a missing bucket and a full bucket. In every
 * case nothing is lost, nothing is uploaded twice, and no local file goes before its upload is
 * confirmed (and then only with delete_after_upload).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { objectKey } from "../../src/upload/object-key.ts";
import { S3Bucket } from "../../src/upload/s3-bucket.ts";
import type { UploadRunResult } from "../../src/upload/uploader.ts";
import { sacrificeOrder } from "../../src/components/retention/retention-policy.ts";
import { startFaultProxy, type FaultProxy } from "../helpers/s3-fault-proxy.ts";
import { S3_KEY_ID, S3_SECRET, startS3Server, type S3Server } from "../helpers/s3-server.ts";
import { DEVICE, makeSensorStore, type SensorStore } from "./_sensor-store.ts";

const MiB = 1024 * 1024;
let s3: S3Server;
let proxy: FaultProxy;
let sensor: SensorStore | null = null;

beforeAll(async () => {
  s3 = await startS3Server();
  proxy = startFaultProxy(s3.endpoint);
});
afterAll(async () => {
  proxy?.stop();
  await s3?.stop();
});
afterEach(() => {
  proxy.set({ kind: "none" });
  sensor?.cleanup();
  sensor = null;
});

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** The SHA-256 the object carries, read straight from the server (not through the proxy). */
async function objectSha(key: string): Promise<string | undefined> {
  const bucket = new S3Bucket({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET });
  return (await bucket.head(key))?.meta.sha256;
}

/** Runs until a run is not skipped for its backoff (which starts at RETRY_BASE_S here). */
async function runPastBackoff(run: () => Promise<UploadRunResult>): Promise<UploadRunResult> {
  for (let i = 0; i < 400; i++) {
    const result = await run();
    if (result.skipped !== "backing-off") return result;
    await Bun.sleep(50);
  }
  throw new Error("the uploader stayed in its backoff");
}

describe("S3Uploader", () => {
  test("uploads each saved recording once under <prefix>/<device_id>/<YYYY>/<MM>/<DD>/<file>, carrying its SHA-256, and a second run sends nothing", async () => {
    sensor = makeSensorStore([40_000, 70_000, 12 * MiB]);
    const uploader = sensor.uploader({ endpoint: proxy.endpoint, prefix: "field/2024" });
    expect(uploader.status().figures).toMatchObject({ backlog_files: 3, backlog_bytes: 40_000 + 70_000 + 12 * MiB, backlog_oldest: sensor.recordings[0]!.created_on.toISOString() });
    const first = await uploader.run();
    expect(first).toMatchObject({ uploaded: 3, error: null });
    const keys = sensor.recordings.map((r) => objectKey("field/2024", DEVICE, r.created_on, r.path as string));
    expect(keys[0]).toMatch(new RegExp(`^field/2024/${DEVICE}/2024/05/01/rec0_060000\\.wav$`));
    expect(await s3.keys("field/2024/")).toEqual([...keys].sort());
    for (const [i, r] of sensor.recordings.entries()) expect(await objectSha(keys[i] as string)).toBe(sha256(r.path as string));
    const parts = proxy.counts.part ?? 0;
    expect(parts).toBe(3);
    const puts = proxy.counts.put ?? 0;
    const again = await uploader.run();
    expect(again).toMatchObject({ uploaded: 0, error: null });
    expect([proxy.counts.part, proxy.counts.put]).toEqual([parts, puts]);
    const status = uploader.status();
    expect(status.degraded).toBeNull();
    expect(status.figures).toMatchObject({ backlog_files: 0, backlog_bytes: 0, uploaded: 3 });
    // The heartbeat carries the backlog as metrics.
    const metrics = Object.fromEntries(uploader.metrics(new Date()).map((m) => [m.name, m.value]));
    expect(metrics).toEqual({ upload_backlog_files: 0, upload_backlog_bytes: 0, upload_backlog_oldest_age: 0 });
    for (const r of sensor.recordings) expect(existsSync(r.path as string)).toBe(true);
  }, 60_000);

  test("an outage in the middle of a multipart upload resumes it at the next part: one object, no unfinished upload, and the local file deleted only once confirmed", async () => {
    sensor = makeSensorStore([16 * MiB]);
    const path = sensor.recordings[0]!.path as string;
    const before = sha256(path);
    const key = objectKey("acoupi", DEVICE, sensor.recordings[0]!.created_on, path);
    const uploader = sensor.uploader({ endpoint: proxy.endpoint, delete_after_upload: true });
    const creates = proxy.counts.create ?? 0;
    proxy.set({ kind: "down-after-parts", parts: (proxy.counts.part ?? 0) + 2 });
    const failed = await uploader.run();
    expect(failed.error).not.toBeNull();
    expect(uploader.status().degraded).toMatch(/^upload: cannot reach bucket "field-data" at http:\/\/127\.0\.0\.1/);
    expect(existsSync(path)).toBe(true);
    expect(await s3.keys("acoupi/")).toEqual([]);
    expect(uploader.status().figures?.backlog_files).toBe(1);

    proxy.set({ kind: "none" });
    const resumed = await runPastBackoff(() => uploader.run());
    expect(resumed).toMatchObject({ uploaded: 1, deleted: 1, error: null });
    expect(proxy.counts.create).toBe(creates + 1); // resumed, not begun again
    expect(await s3.keys("acoupi/")).toEqual([key]);
    expect(await objectSha(key)).toBe(before);
    expect(s3.unfinishedUploads()).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(uploader.status().degraded).toBeNull();
    expect(sensor.store.connection.query("SELECT state, path FROM recordings").get()).toEqual({ state: "purged", path: null });
  }, 90_000);

  test("a wrong key is a named degraded reason with the endpoint's credentials masked, and nothing is uploaded or deleted", async () => {
    sensor = makeSensorStore([10_000]);
    const endpoint = proxy.endpoint.replace("http://", "http://admin:hunter2@");
    const uploader = sensor.uploader({ endpoint, access_key_id: "NOT-A-KEY", delete_after_upload: true });
    const result = await uploader.run();
    expect(result.uploaded).toBe(0);
    const degraded = uploader.status().degraded ?? "";
    expect(degraded).toContain("refused the access key (InvalidAccessKeyId): check upload.access_key_id and upload.secret_access_key");
    expect(degraded).not.toContain("hunter2");
    expect(degraded).toContain("********@127.0.0.1");
    expect(sensor.warnings.join("\n")).not.toContain("hunter2");
    expect(existsSync(sensor.recordings[0]!.path as string)).toBe(true);
  }, 60_000);

  test("a missing bucket is named", async () => {
    sensor = makeSensorStore([10_000]);
    const uploader = sensor.uploader({ endpoint: proxy.endpoint, bucket: "no-such-bucket" });
    await uploader.run();
    expect(uploader.status().degraded).toContain('bucket "no-such-bucket" at http://127.0.0.1');
    expect(uploader.status().degraded).toContain("does not exist (NoSuchBucket)");
  }, 60_000);

  test("a full bucket is named, nothing is deleted, and the uploads go through once space is freed", async () => {
    sensor = makeSensorStore([20_000, 7 * MiB]);
    const uploader = sensor.uploader({ endpoint: proxy.endpoint, delete_after_upload: true, prefix: "quota" });
    proxy.set({ kind: "quota" });
    await uploader.run();
    expect(uploader.status().degraded).toContain("is full or over its quota (QuotaExceeded)");
    for (const r of sensor.recordings) expect(existsSync(r.path as string)).toBe(true);
    expect(await s3.keys("quota/")).toEqual([]);
    proxy.set({ kind: "none" });
    const later = await runPastBackoff(() => uploader.run());
    expect(later).toMatchObject({ uploaded: 2, deleted: 2 });
    expect((await s3.keys("quota/")).length).toBe(2);
    expect(s3.unfinishedUploads()).toEqual([]);
  }, 60_000);

  test("snapshots: once a UTC day, a consistent copy of the metadata database under that day's folder, with relative paths", async () => {
    sensor = makeSensorStore([1000, 2000]);
    const uploader = sensor.uploader({ endpoint: proxy.endpoint, what: ["snapshots"], prefix: "snap" });
    const first = await uploader.run();
    expect(first).toMatchObject({ uploaded: 1, error: null });
    const key = objectKey("snap", DEVICE, new Date(), "metadata.db");
    expect(await s3.keys("snap/")).toEqual([key]);
    expect((await uploader.run()).uploaded).toBe(0);
    const copy = join(sensor.dir, "downloaded.db");
    const client = new Bun.S3Client({ endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET, region: "us-east-1" });
    await Bun.write(copy, await client.file(key).arrayBuffer());
    const db = new Database(copy, { readonly: true });
    expect(db.query("SELECT count(*) AS n, min(path_root) AS root FROM recordings").get()).toEqual({ n: 2, root: "recordings" });
    db.close();
    expect(uploader.status().figures?.backlog_files).toBe(0); // recordings are not in `what`
  }, 60_000);

  test("sends nothing outside upload.window_start–window_end", async () => {
    sensor = makeSensorStore([10_000]);
    const hour = new Date().getUTCHours();
    const start = `${String((hour + 2) % 24).padStart(2, "0")}:00:00`;
    const end = `${String((hour + 3) % 24).padStart(2, "0")}:00:00`;
    const result = await sensor.uploader({ endpoint: proxy.endpoint, window_start: start, window_end: end }).run();
    expect(result.skipped).toBe("outside-window");
  }, 60_000);

  test("retention deletes uploaded recordings before ones never uploaded within a group", async () => {
    sensor = makeSensorStore([1000, 1000, 1000]);
    const newest = sensor.recordings[2]!;
    // Upload only the newest one: mark it as a confirmed upload through the uploader itself.
    const key = objectKey("acoupi", DEVICE, newest.created_on, newest.path as string);
    const { sendFile } = await import("../../src/upload/send-file.ts");
    const bucket = new S3Bucket({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET });
    await sendFile({ bucket, db: sensor.store.connection, path: newest.path as string, key, recordingId: newest.id, maxRate: null, now: () => new Date(), warn: () => {} });
    const candidates = sensor.store.listRetentionCandidates({ keepPerLabel: 0 });
    const order = sacrificeOrder(candidates, ["no_detections"]).map((c) => c.candidate.recording.id);
    expect(order).toEqual([newest.id, sensor.recordings[0]!.id, sensor.recordings[1]!.id]);
  }, 60_000);
});
