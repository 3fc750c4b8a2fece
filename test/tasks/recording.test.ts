/**
 * @module The recording task with a real AlsaRecorder on the fake microphone, the basic
 * template's real conditions (daily schedule, free space) and a real SQLite store: it records and
 * stores a row inside the schedule, pauses outside it with the reason in status, and when the
 * device fails it backs off, reports "degraded" with the device error, and recovers once the
 * device is back.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { AlsaRecorder } from "../../src/components/recorders/alsa-recorder.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import { createDeployment, type Deployment } from "../../src/data/index.ts";
import { AlsaError } from "../../src/errors.ts";
import { BasicConfigSchema, defaultConditions } from "../../src/programs/templates/basic.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { recordingTask, type NamedCondition } from "../../src/tasks/recording.ts";
import { createFakeMic, testSignal, type FakeMic } from "../helpers/fake-mic.ts";

/** 10:00 in London (BST): inside the default 06:00–22:30 schedule. */
const DAYTIME = new Date("2026-06-01T09:00:00Z");
/** 02:00 in London: outside it. */
const NIGHT = new Date("2026-06-01T01:00:00Z");

let dir: string;
let mic: FakeMic;
let store: SqliteStore;
let recorder: AlsaRecorder;
let site: Deployment;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-rec-task-"));
  // The basic template creates these at setup; the free space condition reads them.
  for (const sub of ["tmp", "recordings"]) mkdirSync(join(dir, sub));
  mic = await createFakeMic(testSignal(16000 * 5));
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
  recorder = new AlsaRecorder(
    {
      microphone: { device_name: mic.device, samplerate: 16000, audio_channels: 1, time_expansion: 1 },
      duration: 0.25,
      tmpDir: join(dir, "tmp"),
      deviceId: "rec-task",
      firmwareVersion: "0.0.0",
    },
    { alsaConfig: mic.configText },
  );
  site = createDeployment({ name: "garden", latitude: 51.5, longitude: -0.1 });
  store.storeDeployment(site);
});
afterEach(async () => {
  await recorder.close();
  store.close();
  await mic.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function conditions(): NamedCondition[] {
  const config = BasicConfigSchema.parse({
    timezone: "Europe/London",
    recording: { min_free_mb: 0 },
    paths: { tmp_audio: join(dir, "tmp"), recordings: join(dir, "recordings"), db_metadata: join(dir, "metadata.db") },
  });
  return defaultConditions(config);
}

function task(clock: ManualClock, conds: NamedCondition[] = conditions()) {
  return recordingTask({
    recorder,
    store,
    conditions: conds,
    deployment: () => site,
    clock,
    logger: createConsola({ level: -999 }),
    maxBackoffSeconds: 8,
  });
}

describe("recording task", () => {
  test("inside the schedule it records a file and stores its row in state temp", async () => {
    const rec = task(new ManualClock(DAYTIME));
    const recording = await rec.run();
    expect(recording).toBeDefined();
    expect(existsSync(recording?.path ?? "")).toBe(true);
    expect(store.listRecordingsByState("temp").map((r) => r.recording.id)).toEqual([recording?.id ?? ""]);
    const status = rec.status();
    expect(status.degraded).toBeNull();
    expect(status.figures).toMatchObject({ files: 1, paused_by: null, frames_lost: 0 });
    expect(rec.lastRecordingAt()).toEqual(DAYTIME);
  });

  test("outside the schedule it pauses, records nothing and says why in status", async () => {
    const rec = task(new ManualClock(NIGHT));
    expect(await rec.run()).toBeUndefined();
    expect(store.listRecordingsByState("temp")).toEqual([]);
    const status = rec.status();
    expect(status.figures?.paused_by).toBe("outside the schedule 06:00:00–22:30:00 Europe/London");
    // A schedule pause is expected, not a fault.
    expect(status.degraded).toBeNull();
  });

  test("a pause by a condition that degrades shows as degraded with its reason", async () => {
    const full: NamedCondition = { name: "less than 100 MB free for recordings", degrades: true, test: () => false };
    const rec = task(new ManualClock(DAYTIME), [...conditions(), full]);
    expect(await rec.run()).toBeUndefined();
    expect(rec.status().degraded).toBe("paused: less than 100 MB free for recordings");
  });

  test("a failing device backs off, is degraded in status, and recovers when it comes back", async () => {
    const clock = new ManualClock(DAYTIME);
    const rec = task(clock);
    renameSync(mic.rawPath, `${mic.rawPath}.unplugged`);

    await expect(rec.run()).rejects.toBeInstanceOf(AlsaError);
    expect(rec.status().degraded).toBe(`Cannot open capture device "${mic.device}": No such file or directory (failed 1 time, retrying with backoff)`);
    // Within the backoff the task does not touch the device.
    expect(await rec.run()).toBeUndefined();
    expect(rec.status().degraded).toContain("failed 1 time,");
    clock.advance(1000);
    await expect(rec.run()).rejects.toBeInstanceOf(AlsaError);
    expect(rec.status().degraded).toContain("failed 2 times");
    // The second wait is longer: 2 s.
    clock.advance(1000);
    expect(await rec.run()).toBeUndefined();
    expect(rec.status().degraded).toContain("failed 2 times");

    renameSync(`${mic.rawPath}.unplugged`, mic.rawPath);
    clock.advance(1000);
    const recording = await rec.run();
    expect(recording).toBeDefined();
    expect(rec.status().degraded).toBeNull();
    expect(rec.status().figures).toMatchObject({ files: 1 });
    expect(store.listRecordingsByState("temp")).toHaveLength(1);
  });

  test("backoff is capped at maxBackoffSeconds", async () => {
    const clock = new ManualClock(DAYTIME);
    const rec = task(clock);
    renameSync(mic.rawPath, `${mic.rawPath}.unplugged`);
    for (let i = 0; i < 6; i++) {
      await expect(rec.run()).rejects.toBeInstanceOf(AlsaError);
      clock.advance(8000);
    }
    expect(rec.status().degraded).toContain("failed 6 times");
  });
});
