/**
 * @module The page's per-hour counts against a real metadata database written by the store: the
 * first update counts the window, a later one adds only the outputs written since, a detection
 * counts under its most confident tag, outputs older than the window are left out, and counting
 * in steps reaches the same counts and says when it is complete.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment, ModelOutput, Recording } from "../../src/data/index.ts";
import { HourlyCounts } from "../../src/web/hourly-counts.ts";

const dir = mkdtempSync(join(tmpdir(), "acoupi-hourly-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the page's per-hour counts", () => {
  test("count the window once, then only what was written since, under each detection's best tag", () => {
    const dbPath = join(dir, "metadata.db");
    const store = new SqliteStore({ db_metadata: dbPath });
    const now = new Date("2026-05-10T12:30:00.000Z");
    const deployment: Deployment = { id: crypto.randomUUID(), name: "d", latitude: null, longitude: null, started_on: new Date("2026-01-01T00:00:00Z"), ended_on: null };
    const record = (iso: string, tags: Array<[string, number]>[]) => {
      const recording: Recording = { id: crypto.randomUUID(), created_on: new Date(iso), duration: 3, samplerate: 16_000, deployment, path: join(dir, `${iso}.wav`), audio_channels: 1, time_expansion: 1, bit_depth: 16 };
      store.storeRecording(recording);
      const output: ModelOutput = {
        id: crypto.randomUUID(), name_model: "m", recording, created_on: new Date(iso),
        detections: tags.map((t) => ({ id: crypto.randomUUID(), prediction_type: "presence" as const, location: null, detection_score: 0.9, tags: t.map(([value, confidence_score]) => ({ tag: { key: "species", value }, confidence_score })) })),
      };
      store.storeModelOutputs([output]);
    };
    record("2026-03-01T05:10:00.000Z", [[["Old", 0.9]]]);
    record("2026-05-09T05:10:00.000Z", [[["Wren", 0.9]], [["Robin", 0.4], ["Wren", 0.8]]]);
    record("2026-05-10T11:59:00.000Z", [[["Robin", 0.7]]]);
    const db = new Database(dbPath, { readonly: true });
    const counts = new HourlyCounts();
    counts.update(db, now);
    const all = () => [...counts.rows(new Date(0), null)].sort((a, b) => (a.bucket + a.label < b.bucket + b.label ? -1 : 1));
    expect(all()).toEqual([
      { bucket: "2026-05-09T05", label: "Wren", count: 2 },
      { bucket: "2026-05-10T11", label: "Robin", count: 1 },
    ]);
    record("2026-05-10T12:20:00.000Z", [[["Robin", 0.7]], [["Robin", 0.6]]]);
    record("2026-05-09T05:40:00.000Z", [[["Wren", 0.7]]]);
    counts.update(db, now);
    expect(all()).toEqual([
      { bucket: "2026-05-09T05", label: "Wren", count: 3 },
      { bucket: "2026-05-10T11", label: "Robin", count: 1 },
      { bucket: "2026-05-10T12", label: "Robin", count: 2 },
    ]);
    expect([...counts.rows(new Date("2026-05-10T00:00:00Z"), "Robin")].map((r) => r.count)).toEqual([1, 2]);
    expect(counts.labels(new Date(0))).toEqual(["Robin", "Wren"]);
    // In steps of one model output: not complete until every output in the window is counted, then the same counts.
    const stepwise = new HourlyCounts();
    const steps: boolean[] = [];
    while (steps.length < 10 && !steps.at(-1)) steps.push(stepwise.update(db, now, 1));
    expect(steps).toEqual([false, false, false, true]);
    expect(stepwise.complete).toBe(true);
    expect([...stepwise.rows(new Date(0), null)].reduce((n, r) => n + r.count, 0)).toBe(6);
    db.close();
    store.close();
  });
});
