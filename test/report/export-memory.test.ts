/**
 * @module A 100,000-row export in bounded memory: the real CLI exports 1,000 and 100,000 rows of one
 * database in child processes, and their peak RSS (getrusage maxRSS) may differ by less than 16 MB,
 * where holding the rows would add well over 50 MB. A behaviour bound, not a timing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment, ModelOutput, Recording } from "../../src/data/index.ts";
import { acoupiCommand, makeTempHome, REPO, type TempHome } from "../helpers/cli.ts";

const RECORDINGS = 10_000;
const PER_RECORDING = 10;

/** 10,000 recordings with 10 detections each: 100,000 export rows. */
function writeLargeDb(path: string): void {
  const store = new SqliteStore({ db_metadata: path }, { synchronous: "NORMAL" });
  const deployment: Deployment = { id: crypto.randomUUID(), name: "big", latitude: null, longitude: null, started_on: new Date("2024-01-01T00:00:00Z"), ended_on: null };
  const start = deployment.started_on.getTime();
  let batch: ModelOutput[] = [];
  store.transaction(() => {
    for (let i = 0; i < RECORDINGS; i++) {
      const created = new Date(start + i * 10_000);
      const recording: Recording = { id: crypto.randomUUID(), created_on: created, duration: 3, samplerate: 48000, deployment, path: `/data/rec-${i}.wav`, audio_channels: 1, time_expansion: 1, bit_depth: 16 };
      store.storeRecording(recording);
      const detections = Array.from({ length: PER_RECORDING }, (_, k) => ({
        id: crypto.randomUUID(),
        prediction_type: "event" as const,
        location: { type: "BoundingBox" as const, coordinates: [k * 0.25, 1000, k * 0.25 + 0.2, 5000] as [number, number, number, number] },
        detection_score: 0.5 + k / 40,
        tags: [{ tag: { key: "species", value: `species ${k}` }, confidence_score: 0.5 + k / 40 }],
      }));
      batch.push({ id: crypto.randomUUID(), name_model: "BirdNET", recording, detections, created_on: created });
      if (batch.length === 500) {
        store.storeModelOutputs(batch);
        batch = [];
      }
    }
    store.storeModelOutputs(batch);
  });
  store.close();
}

let home: TempHome;
let db: string;
beforeAll(() => {
  home = makeTempHome("acoupi-export-mem-");
  db = join(home.home, "metadata.db");
  writeLargeDb(db);
}, 60_000);
afterAll(() => home.cleanup());

function exportPeak(format: string, extra: string[]): { maxRss: number; dir: string } {
  const dir = mkdtempSync(join(home.home, `out-${format}-`));
  const proc = Bun.spawnSync([...acoupiCommand(), "export", "--format", format, "--out", dir, "--db", db, ...extra], {
    env: { ...process.env, ...home.env },
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(proc.stderr.toString()).toBe("");
  expect(proc.exitCode).toBe(0);
  return { maxRss: proc.resourceUsage.maxRSS, dir };
}

test("a 100,000-row CSV export peaks within 16 MB of a 1,000-row one (it streams)", () => {
  const small = exportPeak("csv", ["--limit", "1000"]);
  const large = exportPeak("csv", []);
  const lines = readFileSync(join(large.dir, "detections.csv"), "utf8").trimEnd().split("\r\n");
  expect(lines).toHaveLength(1 + RECORDINGS * PER_RECORDING);
  expect(statSync(join(large.dir, "detections.csv")).size).toBeGreaterThan(15e6);
  // Holding the rows (or the text) would add well over 50 MB: 100,000 rows of 16 fields, about 20 MB of CSV.
  expect(large.maxRss - small.maxRss).toBeLessThan(16 * 1024 * 1024);
}, 60_000);

test("a 100,000-row combined Raven export also stays within 16 MB of a 1,000-row one", () => {
  const small = exportPeak("raven", ["--combined", "--limit", "1000"]);
  const large = exportPeak("raven", ["--combined"]);
  expect(large.maxRss - small.maxRss).toBeLessThan(16 * 1024 * 1024);
}, 60_000);
