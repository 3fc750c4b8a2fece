/**
 * @module A sensor's metadata store for the upload tests: a real SqliteStore in a temp folder,
 * with saved recordings whose files (random bytes of given sizes) are filed under `recordings/`
 * by day, as the runner leaves them; and an uploader over it with a given `upload` section.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createConsola } from "consola";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment, Recording } from "../../src/data/index.ts";
import { systemClock } from "../../src/scheduler/clock.ts";
import { UploadConfigSchema, type UploadConfig } from "../../src/upload/upload-config.ts";
import { S3Uploader } from "../../src/upload/uploader.ts";

/** The uploader's first retry after a failure (5 s on a sensor), short so the tests that wait for it finish soon. */
export const RETRY_BASE_S = 0.2;

export const DEVICE = "dev-0001";
const DEPLOYMENT: Deployment = { id: "00000000-0000-4000-8000-0000000000d1", name: "meadow", latitude: null, longitude: null, started_on: new Date("2024-05-01T00:00:00Z"), ended_on: null };

export interface SensorStore {
  dir: string;
  store: SqliteStore;
  recordings: Recording[];
  warnings: string[];
  uploader(upload: Record<string, unknown>): S3Uploader;
  config(upload: Record<string, unknown>): UploadConfig;
  cleanup(): void;
}

/** A store with one saved recording per size (bytes), made a minute apart on 2024-05-01 and 02. */
export function makeSensorStore(sizes: readonly number[]): SensorStore {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-upload-"));
  const roots = { recordings: join(dir, "recordings"), tmp: join(dir, "tmp") };
  const store = new SqliteStore({ db_metadata: join(dir, "metadata.db") }, { roots, synchronous: "NORMAL" });
  const recordings = sizes.map((bytes, i) => {
    const created = new Date(Date.UTC(2024, 4, 1 + (i % 2), 6, i));
    const path = join(roots.recordings, created.toISOString().slice(0, 10).replaceAll("-", "/"), `rec${i}_${created.toISOString().slice(11, 19).replaceAll(":", "")}.wav`);
    mkdirSync(dirname(path), { recursive: true });
    const data = new Uint8Array(bytes);
    for (let off = 0; off < bytes; off += 65536) crypto.getRandomValues(data.subarray(off, Math.min(bytes, off + 65536)));
    writeFileSync(path, data);
    const recording: Recording = { id: crypto.randomUUID(), created_on: created, duration: 1, samplerate: 16000, deployment: DEPLOYMENT, path, audio_channels: 1, time_expansion: 1, bit_depth: 16 };
    store.storeRecording(recording);
    store.updateRecordingPath(recording, path, "saved");
    return recording;
  });
  const warnings: string[] = [];
  const logger = createConsola({ level: 3, reporters: [{ log: (entry) => warnings.push(entry.args.map(String).join(" ")) }] });
  const config = (upload: Record<string, unknown>) => UploadConfigSchema.parse({ bucket: "field-data", access_key_id: "S3RVER", secret_access_key: "S3RVER", ...upload });
  return {
    dir,
    store,
    recordings,
    warnings,
    config,
    uploader: (upload) =>
      new S3Uploader(config(upload), { store, deviceId: DEVICE, timezone: "UTC", clock: systemClock, logger, databases: { metadata: join(dir, "metadata.db"), messages: null }, retryBaseS: RETRY_BASE_S }),
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
