/**
 * @module Live equals offline: the `detection` program records from the fake microphone (real
 * libasound through an ALSA `file` PCM) and runs a test-built energy model on each 3 s file, with
 * overlapping windows; then `acoupi analyze` runs the configured program over the filed
 * recordings. Every kept file gets the same detections (times, band, label, score) and the same
 * recording facts (start, rate, duration) from both, and the sensor's database is not touched.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { absolutePathSql, type Roots } from "../../helpers/stored-path.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { storedDetections, type StoredDetection } from "../../helpers/analyze-fixtures.ts";

const RATE = 8000;
/** Levels of consecutive half seconds: each 3 s file holds something loud and something quiet. */
const LEVELS = [0.05, 0.6, 0.3, 0.9, 0.1, 0.45, 0.7, 0.0, 0.35, 0.55, 0.2, 0.8, 0.65, 0.15, 0.5, 0.25, 0.75, 0.4];

function micInput(): Int16Array {
  const half = RATE / 2;
  const out = new Int16Array(LEVELS.length * half);
  LEVELS.forEach((level, k) => {
    // A level with a little deterministic ripple, so scores are not round numbers.
    for (let i = 0; i < half; i++) out[k * half + i] = Math.round(level * 32767 * (0.9 + 0.1 * Math.sin(i / 7)));
  });
  return out;
}

interface LiveCase {
  /** Capture rate (real). */
  rate: number;
  timeExpansion: number;
  /** Model window in seconds: the energy model takes 8000 samples at `rate`. */
  window: number;
}

function keptDetections(db: string, roots: Roots): StoredDetection[] {
  const handle = new Database(db, { readonly: true });
  const sql = `SELECT ${absolutePathSql(roots)} AS path FROM recordings WHERE state = 'saved' AND path IS NOT NULL`;
  const kept = new Set((handle.query(sql).all() as Array<{ path: string }>).map((r) => r.path));
  handle.close();
  const names = new Set([...kept].filter((p) => existsSync(p)).map((p) => p.slice(p.lastIndexOf("/") + 1)));
  return storedDetections(db).filter((row) => names.has(row.file));
}

/** Records the input live with the detection program, stops, analyses the filed files offline. */
async function liveThenOffline(c: LiveCase): Promise<{ live: StoredDetection[]; offline: StoredDetection[] }> {
  const d: Deployment = deploy({ mic: micInput(), prefix: "acoupi-live-offline-" });
  try {
    const workDir = d.home.home;
    await Bun.write(join(workDir, "energy.onnx"), energyModel(8000));
    await Bun.write(join(workDir, "labels.txt"), "loud\npower\n");
    const duration = (3 * RATE) / c.rate;
    const setup = d.run([
      "setup", "--program", "detection", "--no-prompt",
      "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(c.rate), "--microphone.time_expansion", String(c.timeExpansion),
      "--recording.duration", String(duration), "--recording.interval", String(duration),
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
      "--file_management.interval", "2",
      "--model.path", join(workDir, "energy.onnx"), "--model.labels", join(workDir, "labels.txt"),
      "--model.samplerate", String(c.rate), "--model.window", String(c.window), "--model.hop", String(c.window / 2),
      "--detections.threshold", "0.25", "--messaging.heartbeat_interval", "3600",
    ]);
    expect(setup.code, said(setup)).toBe(0);
    const start = d.run(["start", "--name", "live", "--no-check"]);
    expect(start.code, said(start)).toBe(0);
    const sensorDb = join(d.home.acoupiHome, "storages/metadata.db");
    await waitFor("model outputs for three recordings", () => countRows(sensorDb, "SELECT DISTINCT recording_id FROM model_outputs") >= 3, 90_000);
    const stop = d.run(["stop"]);
    expect(stop.code, said(stop)).toBe(0);

    const live = keptDetections(sensorDb, { recordings: join(d.home.acoupiHome, "storages/recordings"), tmp: join(d.home.acoupiHome, "tmp") });
    const before = statSync(sensorDb);
    const out = join(workDir, "offline");
    const analysed = d.run(["analyze", join(d.home.acoupiHome, "storages/recordings"), "--out", out]);
    expect(analysed.code, said(analysed)).toBe(0);
    const after = statSync(sensorDb);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    return { live, offline: storedDetections(join(out, "metadata.db")) };
  } finally {
    await d.cleanup();
  }
}

describe("acoupi analyze on what the detection program recorded", () => {
  test("a file recorded live and the same file analysed offline give the same detections", async () => {
    const { live, offline } = await liveThenOffline({ rate: RATE, timeExpansion: 1, window: 1 });
    // The files that hold the input (later ones hold the microphone's trailing silence).
    expect(new Set(live.map((r) => r.file)).size).toBeGreaterThanOrEqual(3);
    expect(offline).toEqual(live);
  }, 240_000);

  test("time-expanded live recordings (80 kHz, factor 10) give the same detections offline, in real seconds", async () => {
    const { live, offline } = await liveThenOffline({ rate: 80_000, timeExpansion: 10, window: 0.1 });
    expect(new Set(live.map((r) => r.file)).size).toBeGreaterThanOrEqual(3);
    expect(live.every((r) => r.samplerate === 80_000 && r.time_expansion === 10 && r.duration <= 0.3 + 1e-9 && r.end <= 0.3 + 1e-9)).toBe(true);
    expect(offline).toEqual(live);
  }, 240_000);
});
