/**
 * @module S3Uploader: the store-and-forward upload task. Each run, inside the configured window,
 * it sends the saved recordings not yet uploaded (oldest first) and, once a day, snapshots of the
 * databases, each through `sendFile` (exactly once, resumable, verified). A recording's local file
 * is deleted only after its upload is confirmed, and only with `delete_after_upload`. A failure
 * stops the run and backs off (up to 10 minutes); a wrong key, a missing bucket or a full one is a
 * named degraded reason until an upload succeeds again. The backlog (files, bytes, oldest) is in
 * its status figures, hence `acoupi status`, the heartbeat's status line and `/metrics`.
 */
import { existsSync, mkdtempSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConsolaInstance } from "consola";
import type { SqliteStore } from "../components/stores/sqlite-store.ts";
import type { ComponentStatus } from "../data/component-status.ts";
import type { Metric } from "../data/index.ts";
import type { Clock } from "../scheduler/clock.ts";
import { dailyWindow, isWithinDailyWindow } from "../time/time-of-day.ts";
import { secondsOfDay, zonedClock } from "../time/zoned-clock.ts";
import { snapshotDatabase } from "../backup/snapshot-db.ts";
import { relativizeMetadataCopy } from "../components/stores/relativize-copy.ts";
import { objectKey } from "./object-key.ts";
import { S3Bucket, S3RequestError } from "./s3-bucket.ts";
import { sendFile } from "./send-file.ts";
import type { UploadConfig } from "./upload-config.ts";
import { pendingRecordings, uploadRow, uploadTotals } from "../components/stores/upload-rows.ts";
import { degradedReason } from "./upload-errors.ts";

export interface UploaderDeps {
  store: SqliteStore;
  deviceId: string;
  timezone: string;
  clock: Clock;
  logger: ConsolaInstance;
  /** The databases a snapshot copies. */
  databases: { metadata: string; messages: string | null };
  /** Seconds before the first retry after a failed run, doubling up to 600; 5 by default (tests shorten it). */
  retryBaseS?: number;
}

export interface UploadRunResult {
  uploaded: number;
  alreadyThere: number;
  deleted: number;
  skipped: "outside-window" | "backing-off" | "busy" | null;
  error: string | null;
}

const MAX_BACKOFF_S = 600;
const RETRY_BASE_S = 5;

export class S3Uploader {
  readonly #config: UploadConfig;
  readonly #deps: UploaderDeps;
  readonly #bucket: S3Bucket;
  #running = false;
  #failures = 0;
  #nextAttemptMs = 0;
  #degraded: string | null = null;
  #lastError: string | null = null;
  #sentBytes = 0;
  #backlog: { at: number; value: { files: number; bytes: number; oldest: string | null } } | null = null;

  constructor(config: UploadConfig, deps: UploaderDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#bucket = new S3Bucket({
      endpoint: config.endpoint,
      bucket: config.bucket,
      region: config.region,
      accessKeyId: config.access_key_id,
      secretAccessKey: config.secret_access_key,
    });
  }

  #inWindow(now: Date): boolean {
    const window = dailyWindow({ start: this.#config.window_start, end: this.#config.window_end }, "upload.window_start");
    return isWithinDailyWindow(secondsOfDay(zonedClock(this.#deps.timezone)(now)), window);
  }

  async run(): Promise<UploadRunResult> {
    const result: UploadRunResult = { uploaded: 0, alreadyThere: 0, deleted: 0, skipped: null, error: null };
    const now = this.#deps.clock.now();
    if (this.#running) return { ...result, skipped: "busy" };
    if (!this.#inWindow(now)) return { ...result, skipped: "outside-window" };
    if (performance.now() < this.#nextAttemptMs) return { ...result, skipped: "backing-off" };
    this.#running = true;
    try {
      if (this.#config.what.includes("recordings")) await this.#recordings(result);
      if (this.#config.what.includes("snapshots")) await this.#snapshots(result);
      this.#failures = 0;
      this.#degraded = null;
    } catch (error) {
      this.#failures++;
      const backoff = Math.min(MAX_BACKOFF_S, (this.#deps.retryBaseS ?? RETRY_BASE_S) * 2 ** (this.#failures - 1));
      this.#nextAttemptMs = performance.now() + backoff * 1000;
      result.error = error instanceof Error ? error.message : String(error);
      this.#lastError = result.error;
      this.#degraded = degradedReason(error, this.#bucket.where);
      this.#deps.logger.warn(`Upload stopped (${this.#degraded ?? result.error}); retrying in ${backoff} s`);
    } finally {
      this.#running = false;
      this.#backlog = null;
    }
    return result;
  }

  async #recordings(result: UploadRunResult): Promise<void> {
    const { store } = this.#deps;
    for (const recording of pendingRecordings(store.connection, store.roots)) {
      const path = recording.path as string;
      if (!existsSync(path)) continue; // retention or a person removed it since the query
      const key = objectKey(this.#config.prefix, this.#deps.deviceId, recording.created_on, path);
      const sent = await sendFile(this.#sendOptions(path, key, recording.id));
      if (sent === "uploaded") result.uploaded++;
      else result.alreadyThere++;
      if (this.#config.delete_after_upload && uploadRow(store.connection, key)?.uploaded_on) {
        unlinkSync(path);
        store.markPurged(recording, this.#deps.clock.now());
        result.deleted++;
      }
    }
  }

  /** Once a UTC day: the databases as `metadata.db` and `messages.db` under the day's folder. */
  async #snapshots(result: UploadRunResult): Promise<void> {
    const today = this.#deps.clock.now();
    const sources = [["metadata.db", this.#deps.databases.metadata], ["messages.db", this.#deps.databases.messages]] as const;
    const due = sources.filter(([name, source]) => source !== null && existsSync(source) && !uploadRow(this.#deps.store.connection, this.#key(today, name))?.uploaded_on);
    if (due.length === 0) return;
    const staging = mkdtempSync(join(tmpdir(), "acoupi-snapshot-"));
    try {
      for (const [name, source] of due) {
        const file = join(staging, name);
        const roots = this.#deps.store.roots;
        await snapshotDatabase(source as string, file, name === "metadata.db" && roots !== undefined ? (f) => relativizeMetadataCopy(f, roots) : undefined);
        const sent = await sendFile(this.#sendOptions(file, this.#key(today, name), null));
        if (sent === "uploaded") result.uploaded++;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  #key(day: Date, file: string): string {
    return objectKey(this.#config.prefix, this.#deps.deviceId, day, file);
  }

  #sendOptions(path: string, key: string, recordingId: string | null) {
    return {
      bucket: this.#bucket,
      db: this.#deps.store.connection,
      path,
      key,
      recordingId,
      maxRate: this.#config.max_rate,
      now: () => this.#deps.clock.now(),
      onBytes: (n: number) => {
        this.#sentBytes += n;
      },
      warn: (message: string) => this.#deps.logger.warn(message),
    };
  }

  /**
   * The backlog: saved recordings not uploaded yet, their bytes and the oldest one's time. It
   * stats every waiting file, so it is recomputed at most every 10 s (status polls, heartbeats).
   */
  backlog(): { files: number; bytes: number; oldest: string | null } {
    const now = performance.now();
    if (this.#backlog !== null && now - this.#backlog.at < 10_000 && !this.#running) return this.#backlog.value;
    const value = this.#computeBacklog();
    this.#backlog = { at: now, value };
    return value;
  }

  #computeBacklog(): { files: number; bytes: number; oldest: string | null } {
    if (!this.#config.what.includes("recordings")) return { files: 0, bytes: 0, oldest: null };
    const pending = pendingRecordings(this.#deps.store.connection, this.#deps.store.roots);
    let bytes = 0;
    for (const r of pending) {
      try {
        bytes += statSync(r.path as string).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return { files: pending.length, bytes, oldest: pending[0]?.created_on.toISOString() ?? null };
  }

  /** The backlog as heartbeat metrics. */
  metrics(now: Date): Metric[] {
    const backlog = this.backlog();
    const age = backlog.oldest === null ? 0 : Math.max(0, (now.getTime() - Date.parse(backlog.oldest)) / 1000);
    return [
      { name: "upload_backlog_files", value: backlog.files, unit: "count", captured_on: now },
      { name: "upload_backlog_bytes", value: backlog.bytes, unit: "bytes", captured_on: now },
      { name: "upload_backlog_oldest_age", value: Math.round(age), unit: "s", captured_on: now },
    ];
  }

  status(): ComponentStatus {
    const backlog = this.backlog();
    const totals = uploadTotals(this.#deps.store.connection);
    return {
      degraded: this.#degraded === null ? null : `upload: ${this.#degraded}`,
      figures: {
        backlog_files: backlog.files,
        backlog_bytes: backlog.bytes,
        backlog_oldest: backlog.oldest,
        backlog_oldest_age_s: backlog.oldest === null ? 0 : Math.round((this.#deps.clock.now().getTime() - Date.parse(backlog.oldest)) / 1000),
        uploaded: totals.uploaded,
        uploaded_bytes: totals.uploadedBytes,
        sent_bytes: this.#sentBytes,
        failures: this.#failures,
        last_error: this.#lastError,
      },
    };
  }
}

export { S3RequestError };
