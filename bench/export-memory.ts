/**
 * @module Benchmark: the peak memory of `acoupi export` over 100,000 rows against 1,000 rows of the
 * same database (10,000 recordings with 10 detections each), each export in its own child process
 * of the real CLI, peak RSS from getrusage (maxRSS). Streaming keeps the difference small; holding
 * the rows or the text would add well over 50 MB (about 20 MB of CSV). The budget is 16 MB.
 * Prints figures only (this was an assertion in the test suite; memory bounds live here now).
 * Run: `./node_modules/.bin/bun bench/export-memory.ts`.
 */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../src/components/stores/sqlite-store.ts";
import type { Deployment, ModelOutput, Recording } from "../src/data/index.ts";
import { acoupiCommand, makeTempHome, REPO, type TempHome } from "../test/helpers/cli.ts";

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

const BUDGET_MB = 16;
const MB = 1024 * 1024;

function exportPeak(home: TempHome, db: string, format: string, extra: string[]): { maxRss: number; dir: string } {
  const dir = mkdtempSync(join(home.home, `out-${format}-`));
  const proc = Bun.spawnSync([...acoupiCommand(), "export", "--format", format, "--out", dir, "--db", db, ...extra], {
    env: { ...process.env, ...home.env },
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (proc.exitCode !== 0 || proc.stderr.toString() !== "") throw new Error(`acoupi export --format ${format} failed:\n${proc.stderr.toString()}`);
  return { maxRss: proc.resourceUsage.maxRSS, dir };
}

const home = makeTempHome("acoupi-export-mem-");
try {
  const db = join(home.home, "metadata.db");
  writeLargeDb(db);
  console.log(`export peak RSS, ${RECORDINGS * PER_RECORDING} rows against 1,000 rows (budget: ${BUDGET_MB} MB more)`);
  for (const [format, extra] of [["csv", []], ["raven", ["--combined"]]] as const) {
    const small = exportPeak(home, db, format, [...extra, "--limit", "1000"]);
    const large = exportPeak(home, db, format, [...extra]);
    const diff = (large.maxRss - small.maxRss) / MB;
    let rows = "";
    if (format === "csv") {
      const file = join(large.dir, "detections.csv");
      const lines = readFileSync(file, "utf8").trimEnd().split("\r\n").length - 1;
      rows = `, ${lines} rows, ${(statSync(file).size / 1e6).toFixed(1)} MB of CSV`;
    }
    console.log(
      `  ${format.padEnd(6)} 1,000 rows ${(small.maxRss / MB).toFixed(1)} MB, 100,000 rows ${(large.maxRss / MB).toFixed(1)} MB: ` +
        `+${diff.toFixed(1)} MB (${diff < BUDGET_MB ? "within" : "OVER"} the budget)${rows}`,
    );
  }
} finally {
  home.cleanup();
}
