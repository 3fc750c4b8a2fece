/**
 * @module The `bat` program end to end through the real CLI: the fake microphone (real libasound
 * through an ALSA `file` PCM) at 256 kHz replays 3 s of loud audible hum with FM sweeps (80 → 30
 * kHz, 3 ms) planted in the first and last second and none in the middle one, recorded as 1 s
 * files back to back. Once with the worked example's sound-event model (test/helpers/bat-model.ts)
 * behind the energy trigger, once with the trigger alone and a time expansion of 10. Each time the
 * files with calls are kept with every call within 5 ms of its onset and boxed in its own band
 * (about 30–80 kHz), the file without calls is deleted, Raven and Audacity exports carry each box
 * in Hz, and `acoupi analyze` over the kept files gives exactly the live detections.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readGuano } from "../../../src/audio/guano.ts";
import { storedDetections } from "../../helpers/analyze-fixtures.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";
import { BAT, batAudio, batModel } from "../../helpers/bat-model.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

/** Calls in seconds 0–1 and 2–3, none in 1–2; away from the 1 s file boundaries. */
const ONSETS = [0.1, 0.39, 0.62, 2.05, 2.3, 2.6];

interface RecordingRow {
  id: string;
  created_on: string;
  state: string;
  path: string | null;
  time_expansion: number;
}

interface CallRow {
  recording_id: string;
  model: string;
  start: number;
  end: number;
  low: number;
  high: number;
  label: string;
}

async function recordBats(withModel: boolean, timeExpansion: number): Promise<{ d: Deployment; recordings: RecordingRow[]; calls: CallRow[] }> {
  const audio = batAudio({ seconds: 3, onsets: ONSETS });
  const d = deploy({ mic: Int16Array.from(audio, (v) => Math.round(v * 32767)), prefix: "acoupi-bat-program-" });
  const modelArgs: string[] = [];
  if (withModel) {
    const modelPath = join(d.home.home, "batdetect.onnx");
    writeFileSync(modelPath, batModel());
    modelArgs.push(
      "--model.path", modelPath, "--model.labels.0", BAT.label, "--model.samplerate", String(BAT.samplerate),
      "--model.window", String(BAT.window), "--model.hop", String(BAT.hop), "--model.input", BAT.input, "--model.output", BAT.output,
      "--model.frames", "peaks", "--model.min_gap", String(BAT.minGap),
    );
  }
  // No --microphone.samplerate: 256 kHz is the bat program's default.
  const setup = d.run([
    "setup", "--program", "bat", "--no-prompt", "--microphone.device_name", d.mic.device,
    "--microphone.time_expansion", String(timeExpansion),
    "--recording.duration", "1", "--recording.interval", "1",
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
    "--file_management.interval", "2", "--messaging.heartbeat_interval", "3600",
    ...modelArgs,
  ]);
  expect(setup.code, said(setup)).toBe(0);
  const check = d.run(["check"]);
  expect(check.code, said(check)).toBe(0);
  expect(check.stdout).toContain("Energy trigger: 20–120 kHz, 12 dB above the background for 2 ms");
  const start = d.run(["start", "--name", "bats", "--no-check"]);
  expect(start.code, said(start)).toBe(0);

  const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
  // The three files holding the input are filed (kept or deleted) once their model has run.
  await waitFor("three recordings filed", () => countRows(dbPath, "SELECT id FROM recordings WHERE state <> 'temp'") >= 3, 150_000);
  const stop = d.run(["stop"]);
  expect(stop.code, said(stop)).toBe(0);
  const db = d.db();
  const roots = { recordings: join(d.home.acoupiHome, "storages/recordings"), tmp: join(d.home.acoupiHome, "tmp") };
  const recordings = (
    db.query(`SELECT id, created_on, state, ${absolutePathSql(roots)} AS path, time_expansion FROM recordings ORDER BY created_on`).all() as RecordingRow[]
  ).slice(0, 3);
  const calls = db
    .query(
      `SELECT m.recording_id, m.name_model AS model, d.start_time_s AS start, d.end_time_s AS end, d.low_freq_hz AS low, d.high_freq_hz AS high, t.value AS label
         FROM detections d JOIN model_outputs m ON m.id = d.model_output_id JOIN predicted_tags t ON t.detection_id = d.id
        ORDER BY m.recording_id, d.start_time_s`,
    )
    .all() as CallRow[];
  return { d, recordings, calls };
}

/** The kept and deleted files, the calls' times and bands, and the exports' boxes. */
function expectCallsKept(run: { d: Deployment; recordings: RecordingRow[]; calls: CallRow[] }, model: string, label: string): void {
  const { d, recordings, calls } = run;
  expect(recordings.map((r) => r.state)).toEqual(["saved", "discarded", "saved"]);
  const [first, empty, last] = recordings as [RecordingRow, RecordingRow, RecordingRow];
  for (const kept of [first, last]) expect(kept.path !== null && existsSync(kept.path)).toBe(true);
  expect(empty.path === null || !existsSync(empty.path)).toBe(true);

  const origin = new Date(first.created_on).getTime();
  const byId = new Map(recordings.map((r) => [r.id, r]));
  const found = calls
    .filter((c) => byId.get(c.recording_id)?.state === "saved")
    .map((c) => ({ ...c, at: (new Date((byId.get(c.recording_id) as RecordingRow).created_on).getTime() - origin) / 1000 + c.start }))
    .sort((a, b) => a.at - b.at);
  expect(found.length).toBe(ONSETS.length);
  found.forEach((call, i) => {
    expect([call.model, call.label]).toEqual([model, label]);
    expect(Math.abs(call.at - (ONSETS[i] as number))).toBeLessThanOrEqual(0.005);
    // The sweep runs from 80 down to 30 kHz: its box is its band, in real kHz.
    expect(call.low / 1000).toBeGreaterThan(24);
    expect(call.low / 1000).toBeLessThan(32);
    expect(call.high / 1000).toBeGreaterThan(78);
    expect(call.high / 1000).toBeLessThan(88);
  });

  // Raven and Audacity carry each call's box in Hz.
  const out = join(d.home.home, "exports");
  for (const format of ["raven", "audacity"]) {
    const exported = d.run(["export", "--format", format, "--out", join(out, format)]);
    expect(exported.code, said(exported)).toBe(0);
  }
  const raven = readdirSync(join(out, "raven")).flatMap((f) => readFileSync(join(out, "raven", f), "utf8").trim().split("\n").slice(1));
  expect(raven.length).toBe(ONSETS.length);
  for (const line of raven) {
    const [low, high] = line.split("\t").slice(5, 7).map(Number) as [number, number];
    expect(low).toBeGreaterThan(24_000);
    expect(high).toBeLessThan(88_000);
  }
  const audacity = readdirSync(join(out, "audacity")).flatMap((f) => readFileSync(join(out, "audacity", f), "utf8").trim().split("\n"));
  const boxes = audacity.filter((l) => l.startsWith("\\")).map((l) => l.split("\t").slice(1).map(Number));
  expect(boxes.length).toBe(ONSETS.length);
  for (const [low, high] of boxes) expect([(low as number) > 24_000, (high as number) < 88_000]).toEqual([true, true]);
}

/** `acoupi analyze` over the kept files gives the same detections as the live run. */
function expectOfflineEqualsLive(d: Deployment): void {
  const sensorDb = join(d.home.acoupiHome, "storages/metadata.db");
  const recordings = join(d.home.acoupiHome, "storages/recordings");
  // Only the kept files have detections: the deleted one and the trailing silence have none.
  const live = storedDetections(sensorDb);
  const out = join(d.home.home, "offline");
  const analysed = d.run(["analyze", recordings, "--out", out]);
  expect(analysed.code, said(analysed)).toBe(0);
  expect(live.length).toBe(ONSETS.length);
  expect(storedDetections(join(out, "metadata.db"))).toEqual(live);
}

describe("the bat program", () => {
  test("with a sound-event model behind the trigger at 256 kHz, files with planted calls are kept with each call's time and band, and the empty file is not", async () => {
    const run = await recordBats(true, 1);
    try {
      expectCallsKept(run, "batdetect", BAT.label);
      expectOfflineEqualsLive(run.d);
    } finally {
      await run.d.cleanup();
    }
  }, 300_000);

  test("the trigger alone, with no model and a time expansion of 10, keeps the same calls in real time and frequency, written to GUANO", async () => {
    const run = await recordBats(false, 10);
    try {
      expectCallsKept(run, "energy_trigger", "bat");
      const kept = run.recordings.find((r) => r.state === "saved") as RecordingRow;
      expect(kept.time_expansion).toBe(10);
      const guano = readGuano(new Uint8Array(readFileSync(kept.path as string)));
      expect(Number(guano?.get("TE"))).toBe(10);
      expectOfflineEqualsLive(run.d);
    } finally {
      await run.d.cleanup();
    }
  }, 300_000);
});
