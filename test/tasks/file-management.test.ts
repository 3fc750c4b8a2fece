/**
 * @module The file management task on a real SQLite store and real files in a temp folder:
 * waiting for required models, the max_wait timeout (save or delete, counted), saving filters
 * ORed, the first file manager with a path winning, and the two crash repairs (a file already at
 * its destination with the row still pointing at temp; a row whose file is gone).
 */
import { storeReads } from "../helpers/store-reads.ts";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createConsola, type ConsolaInstance } from "consola";
import { wavHeader } from "../../src/audio/wav.ts";
import { dateFileManager, unpaddedDatePath } from "../../src/components/file-managers/date-file-manager.ts";
import { idFileManager } from "../../src/components/file-managers/id-file-manager.ts";
import { saveRecordingManager } from "../../src/components/file-managers/save-recording-manager.ts";
import type { FileManager } from "../../src/components/file-managers/types.ts";
import { detectionTagValue } from "../../src/components/saving-filters/detection-tag-value.ts";
import { savingThreshold } from "../../src/components/saving-filters/saving-threshold.ts";
import type { SavingFilter } from "../../src/components/saving-filters/types.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment, Recording } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { destinationOf, fileManagementTask } from "../../src/tasks/file-management.ts";
import { deployment as makeDeployment, detection, modelOutput, recording as makeRecording } from "../contracts/store.contract.ts";

const START = new Date("2026-05-01T06:00:00Z");
let dir: string;
let tmp: string;
let saved: string;
let store: SqliteStore;
let clock: ManualClock;
let site: Deployment;
let warnings: string[];

function quietLogger(lines: string[]): ConsolaInstance {
  return createConsola({ level: 5, reporters: [{ log: (entry) => void lines.push(entry.args.map(String).join(" ")) }] });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-fm-"));
  tmp = join(dir, "tmp");
  saved = join(dir, "recordings");
  mkdirSync(tmp);
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
  clock = new ManualClock(START);
  site = makeDeployment();
  store.storeDeployment(site);
  warnings = [];
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A real 0.1 s WAV in temp and its row (state temp). */
function tempRecording(createdOn = START): Recording {
  const id = crypto.randomUUID();
  const path = join(tmp, `${id}.wav`);
  const data = new Uint8Array(3200);
  writeFileSync(path, Buffer.concat([wavHeader({ samplerate: 16000, channels: 1, bitsPerSample: 16 }, data.byteLength), data]));
  const rec = makeRecording({ id, deployment: site, path, created_on: createdOn, samplerate: 16000, duration: 0.1 });
  store.storeRecording(rec);
  return rec;
}

function task(options: { requiredModels?: string[]; maxWait?: number; onTimeout?: "save" | "delete"; filters?: SavingFilter[]; managers?: FileManager[] } = {}) {
  return fileManagementTask({
    store,
    fileManagers: options.managers ?? [dateFileManager({ directory: saved })],
    savingFilters: options.filters ?? [],
    requiredModels: () => options.requiredModels ?? [],
    maxWaitSeconds: options.maxWait ?? 600,
    onTimeout: options.onTimeout ?? "save",
    clock,
    logger: quietLogger(warnings),
  });
}

function row(rec: Recording) {
  const [found] = storeReads(store).getRecordings([rec.id]);
  const state = store.connection.query("SELECT state FROM recordings WHERE id = ?").get(rec.id) as { state: string } | null;
  return { path: found?.recording.path ?? null, state: state?.state ?? null };
}

describe("file management task", () => {
  test("a recording waits in temp until its required model has run, then is filed by date", () => {
    const rec = tempRecording();
    const fm = task({ requiredModels: ["BirdNET"] });
    clock.advance(60_000);
    expect(fm.run()).toMatchObject({ saved: 0, waiting: 1, timedOut: 0 });
    expect(row(rec)).toEqual({ path: rec.path, state: "temp" });
    store.storeModelOutputs([modelOutput(rec, { name_model: "BirdNET" })]);
    expect(fm.run()).toMatchObject({ saved: 1, waiting: 0 });
    const now = row(rec);
    expect(now.state).toBe("saved");
    // Year, month and day folders, zero-padded so that they sort.
    expect(now.path).toStartWith(join(saved, "2026", "05", "01") + "/");
    expect(existsSync(now.path ?? "")).toBe(true);
    expect(existsSync(rec.path ?? "")).toBe(false);
  });

  test("an output of another model does not end the wait", () => {
    const rec = tempRecording();
    store.storeModelOutputs([modelOutput(rec, { name_model: "other" })]);
    expect(task({ requiredModels: ["BirdNET"] }).run()).toMatchObject({ saved: 0, waiting: 1 });
  });

  test("after max_wait a recording whose model never ran is saved anyway and counted", () => {
    const rec = tempRecording();
    const fm = task({ requiredModels: ["BirdNET"], maxWait: 300, onTimeout: "save" });
    clock.advance(299_000);
    expect(fm.run()).toMatchObject({ waiting: 1, timedOut: 0 });
    clock.advance(1_000);
    expect(fm.run()).toMatchObject({ saved: 1, timedOut: 1, waiting: 0 });
    expect(row(rec).state).toBe("saved");
    expect(fm.status().figures).toMatchObject({ saved: 1, timedOut: 1, waiting: 0 });
    expect(warnings.some((w) => w.includes(rec.id) && w.includes("BirdNET"))).toBe(true);
  });

  test("with on_timeout delete a recording whose model never ran is deleted and counted", () => {
    const rec = tempRecording();
    const fm = task({ requiredModels: ["BirdNET"], maxWait: 300, onTimeout: "delete" });
    clock.advance(301_000);
    expect(fm.run()).toMatchObject({ saved: 0, discarded: 1, timedOut: 1 });
    expect(row(rec)).toEqual({ path: null, state: "discarded" });
    expect(existsSync(rec.path ?? "")).toBe(false);
  });

  test("force (deployment end) handles waiting recordings at once", () => {
    const rec = tempRecording();
    expect(task({ requiredModels: ["BirdNET"] }).run(true)).toMatchObject({ saved: 1, timedOut: 1 });
    expect(row(rec).state).toBe("saved");
  });

  test("saving filters are ORed: any filter keeps a recording, none discards it", () => {
    const loud = tempRecording();
    const bird = tempRecording();
    const neither = tempRecording();
    store.storeModelOutputs([
      modelOutput(loud, { detections: [detection(0.9, [["dog", 0.9]])] }),
      modelOutput(bird, { detections: [detection(0.3, [["bird", 0.3]])] }),
      modelOutput(neither, { detections: [detection(0.3, [["dog", 0.3]])] }),
    ]);
    const counts = task({ filters: [savingThreshold(0.8), detectionTagValue(["bird"])] }).run();
    expect(counts).toMatchObject({ saved: 2, discarded: 1 });
    expect(row(loud).state).toBe("saved");
    expect(row(bird).state).toBe("saved");
    expect(row(neither)).toEqual({ path: null, state: "discarded" });
    expect(existsSync(neither.path ?? "")).toBe(false);
  });

  test("with no saving filter every recording is kept", () => {
    tempRecording();
    tempRecording();
    expect(task().run()).toMatchObject({ saved: 2, discarded: 0 });
  });

  test("the first file manager that returns a path wins", () => {
    const sure = tempRecording();
    const doubtful = tempRecording(new Date("2026-05-01T06:00:10Z"));
    store.storeModelOutputs([
      modelOutput(sure, { detections: [detection(0.95)] }),
      modelOutput(doubtful, { detections: [detection(0.05)] }),
    ]);
    const byScore = saveRecordingManager({ dirpath: join(saved, "scored"), detection_threshold: 0.6, saving_threshold: 0.3 });
    const byId = idFileManager({ directory: join(saved, "by-id") });
    task({ managers: [byScore, byId] }).run();
    expect(row(sure).path).toBe(join(saved, "scored", "true_detections", "20260501_060000.wav"));
    // saveRecordingManager declines a recording below its saving threshold; the next manager takes it.
    expect(row(doubtful).path).toStartWith(join(saved, "by-id") + "/");
    expect(existsSync(row(doubtful).path ?? "")).toBe(true);
  });

  test("a file moved to its destination before a crash gets its row fixed on the next run", () => {
    const rec = tempRecording();
    const managers = [dateFileManager({ directory: saved })];
    const destination = destinationOf(managers, { recording: rec, modelOutputs: [] });
    expect(destination).not.toBeNull();
    mkdirSync(dirname(destination ?? ""), { recursive: true });
    renameSync(rec.path ?? "", destination ?? "");
    expect(row(rec)).toEqual({ path: rec.path, state: "temp" });
    const counts = task({ managers }).run();
    expect(counts).toMatchObject({ saved: 1, missing: 0 });
    expect(row(rec)).toEqual({ path: destination, state: "saved" });
  });

  test("a file that an earlier version filed in the unpadded date layout before a crash is still found", () => {
    const rec = tempRecording();
    const managers = [dateFileManager({ directory: saved })];
    const destination = destinationOf(managers, { recording: rec, modelOutputs: [] }) ?? "";
    const legacy = unpaddedDatePath(destination);
    expect(legacy).not.toBe(destination);
    mkdirSync(dirname(legacy), { recursive: true });
    renameSync(rec.path ?? "", legacy);
    expect(task({ managers }).run()).toMatchObject({ saved: 1, missing: 0 });
    expect(row(rec)).toEqual({ path: legacy, state: "saved" });
  });

  test("a row whose file is gone is marked missing and counted", () => {
    const rec = tempRecording();
    unlinkSync(rec.path ?? "");
    const fm = task();
    expect(fm.run()).toMatchObject({ saved: 0, missing: 1 });
    expect(row(rec).state).toBe("missing");
    expect(fm.status().figures).toMatchObject({ missing: 1 });
    expect(warnings.some((w) => w.includes(rec.id) && w.includes("missing"))).toBe(true);
    // A missing recording is no longer in temp: the next run does not count it again.
    expect(fm.run()).toMatchObject({ missing: 0 });
  });

  test("a file whose destination is taken gets a distinct name instead of overwriting", () => {
    const a = tempRecording();
    const b = tempRecording();
    const sameName = saveRecordingManager({ dirpath: saved });
    task({ managers: [sameName] }).run();
    expect(row(a).path).not.toBe(row(b).path);
    expect(existsSync(row(a).path ?? "")).toBe(true);
    expect(existsSync(row(b).path ?? "")).toBe(true);
  });
});
