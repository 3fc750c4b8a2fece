/**
 * The retention task on a real SqliteStore and real files in a temp folder: ceilings given as
 * sizes so that a handful of small WAV-sized files exceed them on any disk.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { StorageConfigSchema, type StorageConfig } from "../../src/components/retention/retention-policy.ts";
import { STORE_MIGRATIONS } from "../../src/components/stores/_schema.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Recording } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { openSqlite } from "../../src/system/sqlite.ts";
import { retentionTask } from "../../src/tasks/retention.ts";
import { deployment, detection, modelOutput, recording } from "../contracts/store.contract.ts";

const quiet = createConsola({ level: -999 });
const FILE_BYTES = 64 * 1024;
let dir: string;
let store: SqliteStore;
const site = deployment();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-retention-"));
  mkdirSync(join(dir, "recordings"));
  mkdirSync(join(dir, "tmp"));
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A saved recording `minute` minutes into the day, with a 64 KiB file, and detections of `labels`. */
function saved(minute: number, labels: string[] = []): Recording {
  const rec = recording({ deployment: site, created_on: new Date(Date.UTC(2025, 0, 1, 0, minute)) });
  const path = join(dir, "recordings", `${rec.id}.wav`);
  writeFileSync(path, new Uint8Array(FILE_BYTES).fill(1));
  const withPath = { ...rec, path };
  store.storeRecording(withPath);
  store.updateRecordingPath(withPath, path, "saved");
  store.storeModelOutputs([modelOutput(withPath, { detections: labels.map((label) => detection(0.9, [[label, 0.9]])) })]);
  return withPath;
}

function task(config: Partial<StorageConfig>, clock = new ManualClock(new Date(Date.UTC(2025, 0, 2)))) {
  return retentionTask({
    store,
    config: StorageConfigSchema.parse({ min_free: "0MB", ...config }),
    folders: { recordings: join(dir, "recordings"), tmp: join(dir, "tmp") },
    floorBytes: 0,
    recordingBytes: FILE_BYTES,
    clock,
    logger: quiet,
  });
}

function states(): Map<string, { state: string; path: string | null; purged_on: string | null }> {
  const rows = store.connection.query<{ id: string; state: string; path: string | null; purged_on: string | null }, []>("SELECT id, state, path, purged_on FROM recordings").all();
  return new Map(rows.map((r) => [r.id, r]));
}

describe("retention", () => {
  test("over the ceiling it deletes recordings without detections oldest first, then the oldest with detections, keeping the newest per label", () => {
    const negatives = [saved(1), saved(5), saved(9)];
    const birds = [saved(2, ["blackbird"]), saved(3, ["blackbird"]), saved(4, ["robin"]), saved(6, ["blackbird"])];
    // 7 files of 64 KiB, with room for one recording that may be under way and the next, under a
    // 5-file ceiling: four must go.
    const run = task({ ceiling: `${5 * FILE_BYTES}B`, keep_per_label: 1 }).run();
    expect(run.purged).toBe(4);
    const after = states();
    for (const rec of negatives) {
      expect(after.get(rec.id)?.state).toBe("purged");
      expect(existsSync(rec.path ?? "")).toBe(false);
    }
    // Then the oldest blackbird; the newest blackbird (minute 6) and the only robin are kept.
    expect(after.get(birds[0]?.id ?? "")?.state).toBe("purged");
    for (const rec of birds.slice(1)) expect(after.get(rec.id)?.state).toBe("saved");
    for (const row of after.values()) {
      if (row.state === "purged") expect(row.path === null && row.purged_on !== null).toBe(true);
      else expect(existsSync(row.path ?? "")).toBe(true);
    }
    expect(run.blocked).toBeNull();
  });

  test("under the ceiling nothing is deleted, except recordings older than max_age_days", () => {
    const clock = new ManualClock(new Date(Date.UTC(2025, 0, 1, 1, 0)));
    const old = saved(1, ["robin"]);
    const recent = saved(50);
    const run = task({ ceiling: "1GB", max_age_days: 30 / 1440 }, clock).run();
    expect(run.purged).toBe(1);
    expect(states().get(old.id)?.state).toBe("purged");
    expect(states().get(recent.id)?.state).toBe("saved");
    expect(task({ ceiling: "1GB" }, clock).run().purged).toBe(0);
  });

  test("recording pauses only when nothing more may be deleted, names the reason, and resumes by itself", () => {
    const clock = new ManualClock(new Date(Date.UTC(2025, 0, 2)));
    const kept = [saved(1, ["robin"]), saved(2, ["wren"])];
    // Only negatives may go and there are none: the 2-file ceiling cannot make room for a third.
    const retention = task({ ceiling: `${2 * FILE_BYTES}B`, order: ["no_detections"] }, clock);
    expect(retention.condition.test(clock.now())).toBe(false);
    expect(retention.condition.name).toMatch(/of their 0\.1 MB ceiling and nothing more may be deleted/);
    expect(retention.status().figures?.blocked).toBe(retention.condition.name);
    for (const rec of kept) expect(existsSync(rec.path ?? "")).toBe(true);
    // The user frees space by hand: once the recheck period has passed, recording resumes.
    rmSync(kept[0]?.path ?? "");
    expect(retention.condition.test(clock.now())).toBe(false); // within the recheck period
    clock.advance(6000);
    expect(retention.condition.test(clock.now())).toBe(true);
    expect(retention.status().figures?.blocked).toBeNull();
  });

  test("the condition makes room before a recording when the ceiling would be passed", () => {
    const clock = new ManualClock(new Date(Date.UTC(2025, 0, 2)));
    const first = saved(1);
    saved(2);
    const retention = task({ ceiling: `${3 * FILE_BYTES}B` }, clock);
    expect(retention.condition.test(clock.now())).toBe(true); // 2 files + 1 coming = 3: fits
    saved(3); // that recording
    expect(retention.condition.test(clock.now())).toBe(true); // 3 + 1 > 3: the oldest goes first
    expect(states().get(first.id)?.state).toBe("purged");
    expect(retention.status().figures?.purged).toBe(1);
    expect(retention.metrics().find((m) => m.name === "retention_purged")?.value).toBe(1);
  });

  test("a saved row whose file was already deleted (a crash between unlink and update) is marked purged when its turn comes", () => {
    const gone = saved(1);
    saved(2);
    rmSync(gone.path ?? "");
    task({ ceiling: `${3 * FILE_BYTES}B` }).run();
    expect(states().get(gone.id)?.state).toBe("purged");
  });
});

describe("store schema version 2", () => {
  test("a version 1 file migrates with its recordings and model outputs intact, and accepts the purged state", () => {
    const path = join(dir, "v1.db");
    const v1 = openSqlite(path, { label: "v1", migrations: STORE_MIGRATIONS.slice(0, 1) });
    v1.run("INSERT INTO deployments (id, name, started_on) VALUES ('d', 'site', '2025-01-01T00:00:00.000Z')");
    v1.run("INSERT INTO recordings (id, deployment_id, created_on, duration_s, samplerate_hz, path, state) VALUES ('r', 'd', '2025-01-01T00:00:00.000Z', 1, 16000, '/x.wav', 'saved')");
    v1.run("INSERT INTO model_outputs (id, recording_id, name_model, created_on) VALUES ('m', 'r', 'model', '2025-01-01T00:00:01.000Z')");
    v1.close();
    const migrated = new SqliteStore({ db_metadata: path });
    const db = migrated.connection;
    expect(db.query("SELECT recording_id FROM model_outputs").all()).toEqual([{ recording_id: "r" }]);
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: STORE_MIGRATIONS.length });
    expect(db.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
    const [candidate] = migrated.listRetentionCandidates({ keepPerLabel: 0 });
    if (candidate === undefined) throw new Error("the migrated recording is not a candidate");
    migrated.markPurged(candidate.recording, new Date(Date.UTC(2025, 1, 1)));
    expect(db.query("SELECT state, path, purged_on FROM recordings").get()).toEqual({ state: "purged", path: null, purged_on: "2025-02-01T00:00:00.000Z" });
    expect(() => db.run("UPDATE recordings SET purged_on = NULL")).toThrow(/CHECK/);
    migrated.close();
    const check = new Database(path, { readonly: true });
    expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    check.close();
  });
});

describe("retention with the temp folder on another filesystem", () => {
  test("a small RAM-disk temp folder below min_free deletes no recording: deleting them cannot free it, so recording pauses naming it", () => {
    const ram = join(dir, "ram");
    mkdirSync(ram);
    if (Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", ram], { stderr: "pipe" }).exitCode !== 0) {
      console.log("retention: cannot mount a tmpfs here (not root?); skipping");
      return;
    }
    try {
      const kept = [saved(1), saved(2), saved(3)];
      // A 4 MB temp filesystem: under the 200 MB min_free, and under a 5 MB floor.
      const make = (floorBytes: number) =>
        retentionTask({
          store,
          config: StorageConfigSchema.parse({ min_free: "200MB", ceiling: "100%" }),
          folders: { recordings: join(dir, "recordings"), tmp: ram },
          floorBytes,
          recordingBytes: FILE_BYTES,
          clock: new ManualClock(new Date(Date.UTC(2025, 0, 2))),
          logger: quiet,
        });
      const roomy = make(1024 * 1024);
      expect(roomy.run().purged).toBe(0);
      expect(roomy.condition.test(new Date())).toBe(true);
      const full = make(5 * 1024 * 1024);
      expect(full.run().purged).toBe(0);
      expect(full.condition.test(new Date())).toBe(false);
      expect(full.condition.name).toContain("paths.tmp_audio");
      for (const rec of kept) expect(states().get(rec.id)?.state).toBe("saved");
    } finally {
      Bun.spawnSync(["umount", "-l", ram]);
    }
  });
});

describe("retention and what is not its to delete", () => {
  test("when deleting every recording it may cannot restore min_free, it deletes none and names the space outside the recordings", () => {
    const kept = [saved(1), saved(2), saved(3, ["robin"])];
    const stats = statfsSync(dir);
    const free = Number(stats.bavail) * Number(stats.bsize);
    // Short of min_free by far more than the three files could free: the disk is full of something else.
    const run = task({ min_free: `${free + 1e9}B` }).run();
    expect(run.purged).toBe(0);
    expect(run.blocked).toMatch(/^disk filled by something else: \d+\.\d MB outside the recordings$/);
    for (const rec of kept) expect(states().get(rec.id)?.state).toBe("saved");
    expect(kept.every((rec) => existsSync(rec.path ?? ""))).toBe(true);
  });

  test("a ceiling that only the newest recordings per label could meet deletes nothing: keep_per_label holds", () => {
    const birds = [saved(1, ["blackbird"]), saved(2, ["blackbird"]), saved(3, ["robin"])];
    // Room for one file: only deleting the kept recordings would reach it.
    const run = task({ ceiling: `${FILE_BYTES}B`, keep_per_label: 2 }).run();
    expect(run.purged).toBe(0);
    expect(run.blocked).toContain("nothing more may be deleted");
    for (const rec of birds) expect(states().get(rec.id)?.state).toBe("saved");
  });

  test("a recording whose path is a symlink out of the recordings folder is never deleted", () => {
    const outside = join(dir, "archive.wav");
    writeFileSync(outside, new Uint8Array(FILE_BYTES).fill(2));
    const rec = saved(1);
    rmSync(rec.path ?? "");
    symlinkSync(outside, rec.path ?? "");
    const own = saved(2);
    // Room for the own file's successor only once the own file goes (the run counts one recording under way).
    const run = task({ ceiling: `${2 * FILE_BYTES}B` }).run();
    expect(existsSync(outside)).toBe(true);
    expect(states().get(rec.id)?.state).toBe("saved");
    expect(states().get(own.id)?.state).toBe("purged");
    expect(run.purged).toBe(1);
  });
});
