/**
 * @module Verdicts on a live deployment: the `detection` program (Silero VAD on the demo clip from
 * the fake microphone, from source) stores speech detections; `acoupi review` marks one correct and
 * one false while the runner writes to the same database; `acoupi restart` stops and starts the
 * runner, which records again; the verdicts are still there, `export --verified` keeps only the
 * confirmed one, and `summary` gives the precision.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../helpers/cli.ts";
import { countRows, deploy, said, waitFor } from "../../helpers/deployment.ts";

const SILERO = join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");

describe("verdicts on a running deployment", () => {
  test("a verdict set from the CLI while the runner records survives a runner restart and feeds --verified and summary", async () => {
    const clip = readFileSync(join(REPO, "assets/demo-clip.raw"));
    const d = deploy({ mic: new Int16Array(new Uint8Array(Buffer.concat([clip, clip])).buffer), prefix: "acoupi-review-live-" });
    try {
      const setup = d.run([
        "setup", "--program", "detection", "--no-prompt",
        "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
        "--recording.duration", "3", "--recording.interval", "3",
        "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
        "--model.kind", "silero_vad", "--model.path", SILERO, "--model.window", "0.5", "--detections.threshold", "0.5",
      ]);
      expect(setup.code, said(setup)).toBe(0);
      const start = d.run(["start", "--name", "review", "--no-check"]);
      expect(start.code, said(start)).toBe(0);
      const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
      await waitFor("two speech detections", () => countRows(dbPath, "SELECT id FROM detections") >= 2, 90_000);
      const [right, wrong] = (d.db().query("SELECT id FROM detections ORDER BY rowid LIMIT 2").all() as Array<{ id: string }>).map((r) => r.id);

      const correct = d.run(["review", right as string, "--correct", "--note", "a voice"]);
      expect(correct.code, said(correct)).toBe(0);
      const mistaken = d.run(["review", wrong as string, "--false"]);
      expect(mistaken.code, said(mistaken)).toBe(0);

      const restartedAt = new Date().toISOString();
      const restart = d.run(["restart"]);
      expect(restart.code, said(restart)).toBe(0);
      await waitFor("a recording after the restart", () => countRows(dbPath, `SELECT id FROM recordings WHERE created_on > '${restartedAt}'`) >= 1, 90_000);

      const verified = d.run(["detections", "--verified", "--json"]);
      expect(verified.code, said(verified)).toBe(0);
      const rows = verified.stdout.trim().split("\n").map((l) => JSON.parse(l) as { detection_id: string; verdict: string; verdict_note: string });
      expect(rows.map((r) => [r.detection_id, r.verdict, r.verdict_note])).toEqual([[right as string, "correct", "a voice"]]);

      const out = mkdtempSync(join(d.home.home, "export-"));
      const exported = d.run(["export", "--format", "csv", "--verified", "--include-deleted", "--out", out]);
      expect(exported.code, said(exported)).toBe(0);
      const csv = readFileSync(join(out, "detections.csv"), "utf8").trimEnd().split("\r\n");
      expect(csv.slice(1).map((l) => l.split(",")[0])).toEqual([right as string]);

      const summary = d.run(["summary"]);
      expect(summary.code, said(summary)).toBe(0);
      expect(summary.stdout).toMatch(/speech\s+2\s+1\s+50%/);

      const stop = d.run(["stop"]);
      expect(stop.code, said(stop)).toBe(0);
    } finally {
      await d.cleanup();
    }
  }, 300_000);
});
