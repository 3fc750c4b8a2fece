/**
 * @module The repeat-confirmation rule on a live deployment of the `detection` program: the fake
 * microphone plays a corncrake call (a positive constant, which the test model scores for the
 * corncrake alone) for 1 s at 0 s and for 2 s at 6 s, silence otherwise; 2 s recordings back to
 * back, min_hits 2 within 3 s. The lone call at 0 s is held, then dropped once the next recording
 * passes its wait, and recorded with the rule; the two calls at 6–8 s confirm each other and are
 * stored. Every recording is filed in the end: a held output holds its recording only for a while.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { signedLevelModel } from "../../helpers/species-models.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

setDefaultTimeout(240_000);

const RATE = 16_000;
const CORNCRAKE = "Crex crex_Corn Crake";

let d: Deployment;

beforeAll(async () => {
  const audio = new Int16Array(20 * RATE);
  audio.fill(16384, 0, RATE);
  audio.fill(16384, 6 * RATE, 8 * RATE);
  d = deploy({ mic: audio, prefix: "acoupi-confirm-live-" });
});
afterAll(async () => {
  await d.cleanup();
});

test("a lone call is held and dropped, two calls within 3 s are kept, and every recording is filed", async () => {
  const model = join(d.home.home, "birds.onnx");
  writeFileSync(model, signedLevelModel(RATE, [2, 1.6, 0.8]));
  const labels = join(d.home.home, "birds.txt");
  writeFileSync(labels, ["Turdus merula_Eurasian Blackbird", "Luscinia megarhynchos_Common Nightingale", "Strix aluco_Tawny Owl", CORNCRAKE].join("\n"));
  const setup = d.run([
    "setup", "--program", "detection", "--no-prompt",
    "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(RATE),
    "--recording.duration", "2", "--recording.interval", "2",
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
    "--file_management.interval", "1",
    "--model.path", model, "--model.labels", labels, "--model.samplerate", String(RATE), "--model.window", "1",
    "--detections.threshold", "0.3", "--confirmation.min_hits", "2", "--confirmation.within_s", "3",
  ]);
  expect(setup.code, said(setup)).toBe(0);
  const start = d.run(["start", "--name", "crake", "--no-check"]);
  expect(start.code, said(start)).toBe(0);
  const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
  await waitFor("model outputs for six recordings", () => countRows(dbPath, "SELECT DISTINCT recording_id FROM model_outputs") >= 6, 120_000);
  const stop = d.run(["stop"]);
  expect(stop.code, said(stop)).toBe(0);

  const db = d.db();
  const first = Date.parse((db.query("SELECT min(created_on) AS t FROM recordings").get() as { t: string }).t);
  const kept = (db
    .query(
      `SELECT r.created_on AS rec, d.start_time_s AS start, t.value AS label FROM detections d
         JOIN model_outputs m ON m.id = d.model_output_id JOIN recordings r ON r.id = m.recording_id
         JOIN predicted_tags t ON t.detection_id = d.id ORDER BY r.created_on, d.start_time_s`,
    )
    .all() as Array<{ rec: string; start: number; label: string }>).map((row) => [(Date.parse(row.rec) - first) / 1000 + row.start, row.label]);
  expect(kept).toEqual([
    [6, CORNCRAKE],
    [7, CORNCRAKE],
  ]);
  const dropped = (db.query("SELECT recording_created_on AS rec, start_time_s AS start, label, rule FROM rule_decisions").all() as Array<{ rec: string; start: number; label: string; rule: string }>).map(
    (row) => [(Date.parse(row.rec) - first) / 1000 + row.start, row.label, row.rule],
  );
  expect(dropped).toEqual([[0, CORNCRAKE, "confirmation.min_hits"]]);
  expect(countRows(dbPath, "SELECT id FROM recordings WHERE state = 'temp'")).toBe(0);
  expect(countRows(dbPath, "SELECT r.id FROM recordings r WHERE NOT EXISTS (SELECT 1 FROM model_outputs m WHERE m.recording_id = r.id)")).toBe(0);
});
