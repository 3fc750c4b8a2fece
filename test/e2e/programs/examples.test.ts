/**
 * @module The example program files in examples/, loaded at run time by the compiled x64 binary
 * (`acoupi setup --program ./examples/….ts`) and recording from the fake microphone: they get the
 * templates and components through the program API alone, exactly as a field team's file would.
 * - loudness-detector: its own ONNX model (built here: score 0 is mean |x|) and its own saving
 *   rule; a clip of loud sound then silence leaves loud recordings saved and quiet ones deleted.
 * - nightly-summary: the basic template plus a custom cron task that appends summary lines
 *   counting the recordings made in each window.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../../helpers/binaries.ts";
import { REPO } from "../../helpers/cli.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { countRows, deploy, said, waitFor } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

const RATE = 16000;

/** `seconds` of full-scale pseudo-random noise (mean |x| ≈ 0.5), then `quiet` seconds of silence. */
function loudThenQuiet(seconds: number, quiet: number): Int16Array {
  const samples = new Int16Array((seconds + quiet) * RATE);
  let state = 12345;
  for (let i = 0; i < seconds * RATE; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    samples[i] = (state % 60000) - 30000;
  }
  return samples;
}

const SCHEDULE = ["--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0"];

describe("example programs, from the compiled binary", () => {
  let binary: string;
  beforeAll(() => {
    binary = buildBinary("x64");
  }, 180_000);

  test("loudness-detector runs its own model and keeps only the recordings its saving rule wants", async () => {
    const d = deploy({ mic: loudThenQuiet(3, 6), binary, prefix: "acoupi-example-loud-" });
    try {
      const modelPath = join(d.home.home, "loudness.onnx");
      writeFileSync(modelPath, energyModel(RATE / 2));
      const setup = d.run([
        "setup", "--program", join(REPO, "examples/loudness-detector.ts"), "--no-prompt",
        "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(RATE),
        "--recording.duration", "1.5", "--recording.interval", "1.5", ...SCHEDULE,
        "--file_management.interval", "1",
        "--loudness.model", modelPath, "--keep.min_score", "0.2",
      ]);
      expect(setup.code, said(setup)).toBe(0);
      const check = d.run(["check"]);
      expect(check.code, said(check)).toBe(0);
      const start = d.run(["start", "--name", "loud", "--no-check"]);
      expect(start.code, said(start)).toBe(0);

      const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
      await waitFor("saved and discarded recordings", () =>
        countRows(dbPath, "SELECT id FROM recordings WHERE state = 'saved'") >= 1 &&
        countRows(dbPath, "SELECT id FROM recordings WHERE state = 'discarded'") >= 1, 90_000);
      const stop = d.run(["stop"]);
      expect(stop.code, said(stop)).toBe(0);

      const db = d.db();
      const rows = db
        .query(
          `SELECT r.id, r.state, ${absolutePathSql({ recordings: join(d.home.acoupiHome, "storages/recordings"), tmp: join(d.home.acoupiHome, "tmp") }, "r")} AS path,
                  (SELECT max(det.detection_score) FROM model_outputs m JOIN detections det ON det.model_output_id = m.id
                     JOIN predicted_tags t ON t.detection_id = det.id
                    WHERE m.recording_id = r.id AND m.name_model = 'loudness' AND t.value = 'loud') AS loud
             FROM recordings r`,
        )
        .all() as Array<{ id: string; state: string; path: string | null; loud: number | null }>;
      const saved = rows.filter((r) => r.state === "saved");
      const discarded = rows.filter((r) => r.state === "discarded");
      expect(saved.length).toBeGreaterThan(0);
      expect(discarded.length).toBeGreaterThan(0);
      // Its own model ran on every recording, and its rule decided: loud ones kept, quiet ones gone.
      for (const r of saved) {
        expect(r.loud).toBeGreaterThanOrEqual(0.2);
        expect(existsSync(r.path as string)).toBe(true);
      }
      for (const r of discarded) expect(r.loud ?? 0).toBeLessThan(0.2);
      expect(countRows(dbPath, "SELECT id FROM model_outputs WHERE name_model = 'loudness'")).toBe(rows.length);
    } finally {
      await d.cleanup();
    }
  }, 180_000);

  test("nightly-summary records with the basic template and its own cron task appends summary lines", async () => {
    const d = deploy({ mic: loudThenQuiet(2, 2), binary, prefix: "acoupi-example-summary-" });
    try {
      const summaryFile = join(d.home.home, "out/summary.jsonl");
      const setup = d.run([
        "setup", "--program", join(REPO, "examples/nightly-summary.ts"), "--no-prompt",
        "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(RATE),
        "--recording.duration", "1", "--recording.interval", "2", ...SCHEDULE,
        "--file_management.interval", "1",
        "--summary.file", summaryFile, "--summary.cron", "*/2 * * * * *",
      ]);
      expect(setup.code, said(setup)).toBe(0);
      const start = d.run(["start", "--name", "summary", "--no-check"]);
      expect(start.code, said(start)).toBe(0);

      const lines = await waitFor("a summary line counting a recording", () => {
        if (!existsSync(summaryFile)) return null;
        const parsed = readFileSync(summaryFile, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
        return parsed.some((l) => (l.recordings as number) >= 1) ? parsed : null;
      }, 60_000);
      const stop = d.run(["stop"]);
      expect(stop.code, said(stop)).toBe(0);

      for (const line of lines) {
        expect(Object.keys(line)).toEqual(["from", "to", "device_id", "recordings", "seconds"]);
        expect(line.device_id).toBe("test-device-0001");
        expect(new Date(line.to as string).getTime()).toBeGreaterThan(new Date(line.from as string).getTime());
        expect(line.seconds).toBe((line.recordings as number) * 1);
      }
      // Consecutive lines tile: each starts where the previous ended, so no recording is counted twice.
      for (let i = 1; i < lines.length; i++) expect(lines[i]?.from).toBe(lines[i - 1]?.to);
      // Windows do not overlap, so no recording is counted twice: the lines never add up to more
      // recordings than the database holds.
      const counted = lines.reduce((n, l) => n + (l.recordings as number), 0);
      const made = countRows(join(d.home.acoupiHome, "storages/metadata.db"), "SELECT id FROM recordings");
      expect(counted).toBeLessThanOrEqual(made);
      expect(counted).toBeGreaterThan(0);
    } finally {
      await d.cleanup();
    }
  }, 180_000);
});
