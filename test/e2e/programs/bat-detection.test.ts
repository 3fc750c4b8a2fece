/**
 * @module The `detection` program with a sound-event model, end to end through the real CLI: the
 * worked example's bat-call detector shape (test/helpers/bat-model.ts) set up with
 * `--model.frames peaks`, the fake microphone at 256 kHz replaying 3 s of audible noise with FM
 * sweeps planted at known onsets, 1 s files back to back, messages to a real Mosquitto on
 * 127.0.0.1. Each sweep becomes one `event` detection within 5 ms of its onset, stored, sent over
 * MQTT as acoupi's ModelOutput JSON and exported to a Raven table. Read as a window classifier
 * (`model.frames none`), the same model is refused by `acoupi check`.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ModelOutputSchema } from "../../../src/data/index.ts";
import { BAT, batAudio, batModel } from "../../helpers/bat-model.ts";
import { startMosquitto, subscribeMqtt } from "../../helpers/mosquitto.ts";
import { countRows, deploy, said, waitFor } from "../../helpers/deployment.ts";

const SECONDS = 3;
/** Away from the 1 s file boundaries; 0.39 and 1.39 lie in a window overlap. */
const ONSETS = [0.1, 0.39, 0.62, 1.25, 1.39, 1.8, 2.05, 2.6];
/** The device id test/helpers/cli.ts gives every temp home. */
const DEVICE = "test-device-0001";

interface EventRow {
  rec_created: string;
  type: string;
  start: number;
  end: number;
  low: number;
  high: number;
  label: string;
}

describe("the detection program with a sound-event model", () => {
  test("each FM sweep the microphone hears becomes one event detection within 5 ms of its onset, stored, sent and exported", async () => {
    const audio = batAudio({ seconds: SECONDS, onsets: ONSETS });
    const input = Int16Array.from(audio, (v) => Math.round(v * 32767));
    const broker = await startMosquitto();
    const subscriber = await subscribeMqtt({ port: broker.port, topic: `acoupi/${DEVICE}` });
    const d = deploy({ mic: input, prefix: "acoupi-bats-" });
    try {
      const modelPath = join(d.home.home, "batdetect.onnx");
      writeFileSync(modelPath, batModel());
      const setup = d.run([
        "setup", "--program", "detection", "--no-prompt",
        "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(BAT.samplerate),
        "--recording.duration", "1", "--recording.interval", "1",
        "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
        "--file_management.interval", "2",
        "--model.path", modelPath, "--model.labels.0", BAT.label, "--model.samplerate", String(BAT.samplerate),
        "--model.window", String(BAT.window), "--model.hop", String(BAT.hop),
        "--model.input", BAT.input, "--model.output", BAT.output,
        "--model.frames", "peaks", "--model.min_gap", String(BAT.minGap),
        "--detections.threshold", "0.5",
        "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", String(broker.port),
        "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "3600",
      ]);
      expect(setup.code, said(setup)).toBe(0);
      const check = d.run(["check"]);
      expect(check.code, said(check)).toBe(0);
      expect(check.stdout).toContain("85 frames of 4.706 ms per window, peaks");
      const start = d.run(["start", "--name", "bats", "--no-check"]);
      expect(start.code, said(start)).toBe(0);

      const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
      await waitFor("model outputs for three recordings", () => countRows(dbPath, "SELECT DISTINCT recording_id FROM model_outputs") >= 3, 120_000);
      await waitFor("detection messages over MQTT", () => subscriber.received().filter((p) => p.includes('"event"')).length >= 3, 30_000);
      const stop = d.run(["stop"]);
      expect(stop.code, said(stop)).toBe(0);

      const db = d.db();
      const first = (db.query("SELECT min(created_on) AS t FROM recordings").get() as { t: string }).t;
      const rows = db
        .query(
          `SELECT r.created_on AS rec_created, d.prediction_type AS type, d.start_time_s AS start, d.end_time_s AS end,
                  d.low_freq_hz AS low, d.high_freq_hz AS high, t.value AS label
             FROM detections d JOIN model_outputs m ON m.id = d.model_output_id JOIN recordings r ON r.id = m.recording_id
             JOIN predicted_tags t ON t.detection_id = d.id ORDER BY r.created_on, d.start_time_s`,
        )
        .all() as EventRow[];
      const times = rows.map((row) => {
        expect([row.type, row.label, row.low, row.high]).toEqual(["event", "bat", 0, BAT.samplerate / 2]);
        expect(row.end - row.start).toBeCloseTo(BAT.step, 9);
        return (new Date(row.rec_created).getTime() - new Date(first).getTime()) / 1000 + row.start;
      });
      // After the infile ends the microphone gives silence: the planted sweeps are all there is.
      expect(times.length).toBe(ONSETS.length);
      ONSETS.forEach((onset, i) => expect(Math.abs((times[i] as number) - onset)).toBeLessThanOrEqual(0.005));

      // The messages carry the events as acoupi ModelOutput JSON.
      const sent = subscriber
        .received()
        .filter((p) => p.includes('"detections"'))
        .flatMap((p) => ModelOutputSchema.parse(JSON.parse(p)).detections);
      expect(sent.length).toBe(ONSETS.length);
      for (const detection of sent) expect(detection.prediction_type).toBe("event");

      // And a Raven table lists each call with its frame's times.
      const out = join(d.home.home, "raven");
      const exported = d.run(["export", "--format", "raven", "--out", out]);
      expect(exported.code, said(exported)).toBe(0);
      const tables = readdirSync(out).map((f) => readFileSync(join(out, f), "utf8"));
      const lines = tables.flatMap((t) => t.trim().split("\n").slice(1));
      expect(lines.length).toBe(ONSETS.length);

      // Read as a window classifier, the same model is refused by `check`, which says what to set.
      const unset = d.run(["config", "set", "model.frames", "none"]);
      expect(unset.code, said(unset)).toBe(0);
      const refused = d.run(["check"]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('output "bat_prob" [1,85] has 85 scores per window, but model.labels (the label list) has 1 labels');
      expect(refused.stderr).toContain("set model.frames to peaks or segments");
    } finally {
      await d.cleanup();
      await subscriber.stop();
      await broker.cleanup();
    }
  }, 240_000);
});
