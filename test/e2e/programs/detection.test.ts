/**
 * @module The `detection` program end to end through the real CLI, from source and as the
 * compiled x64 binary: Silero VAD (`--model.kind silero_vad`) on the fake microphone replaying
 * the demo clip (speech 0–4.86 s, silence, a 2 kHz tone 6.36–8.36 s, 9 s in all), 3 s files back
 * to back, messages to a real Mosquitto on 127.0.0.1. Detections fall only in the speech, and
 * each detection message arrives over MQTT as acoupi's ModelOutput JSON, byte for byte the row
 * the outbox holds.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ModelOutputSchema, modelOutputJson } from "../../../src/data/index.ts";
import { buildBinary } from "../../helpers/binaries.ts";
import { REPO } from "../../helpers/cli.ts";
import { startMosquitto, subscribeMqtt } from "../../helpers/mosquitto.ts";
import { countRows, deploy, said, waitFor } from "../../helpers/deployment.ts";

export const SILERO = join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");
const CLIP_SECONDS = 9;
const SPEECH_END = 4.86;
/** Silero's recurrent state may carry speech a few 32 ms frames past its end. */
const HANGOVER = 0.25;
const DEVICE = "test-device-0001";

interface DetectionRow {
  rec_created: string;
  start: number;
  end: number;
  score: number;
  label: string;
}

async function detectSpeechAndSend(binary?: string): Promise<void> {
  const clip = readFileSync(join(REPO, "assets/demo-clip.raw"));
  const input = new Int16Array(new Uint8Array(Buffer.concat([clip, clip, clip])).buffer);
  const broker = await startMosquitto();
  const subscriber = await subscribeMqtt({ port: broker.port, topic: `acoupi/${DEVICE}` });
  const d = deploy({ mic: input, binary, prefix: "acoupi-detection-" });
  try {
    const setup = d.run([
      "setup", "--program", "detection", "--no-prompt",
      "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
      "--recording.duration", "3", "--recording.interval", "3",
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
      "--file_management.interval", "2",
      "--model.kind", "silero_vad", "--model.path", SILERO, "--model.window", "0.5",
      "--detections.threshold", "0.5",
      "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", String(broker.port),
      "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "3600",
    ]);
    expect(setup.code, said(setup)).toBe(0);
    const check = d.run(["check"]);
    expect(check.code, said(check)).toBe(0);
    const start = d.run(["start", "--name", "speech", "--no-check"]);
    expect(start.code, said(start)).toBe(0);

    const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
    // Three files cover the whole clip once.
    await waitFor("model outputs for three recordings", () => countRows(dbPath, "SELECT DISTINCT recording_id FROM model_outputs") >= 3, 90_000);
    await waitFor("a detection message over MQTT", () => subscriber.received().some((p) => p.includes('"detections"')), 30_000);
    const stop = d.run(["stop"]);
    expect(stop.code, said(stop)).toBe(0);

    const db = d.db();
    const first = (db.query("SELECT min(created_on) AS t FROM recordings").get() as { t: string }).t;
    const rows = db
      .query(
        `SELECT r.created_on AS rec_created, d.start_time_s AS start, d.end_time_s AS end, d.detection_score AS score, t.value AS label
           FROM detections d JOIN model_outputs m ON m.id = d.model_output_id JOIN recordings r ON r.id = m.recording_id
           JOIN predicted_tags t ON t.detection_id = d.id ORDER BY r.created_on, d.start_time_s`,
      )
      .all() as DetectionRow[];
    expect(rows.length).toBeGreaterThan(0);
    const clipTimes = rows.map((row) => {
      const offset = (new Date(row.rec_created).getTime() - new Date(first).getTime()) / 1000;
      expect(row.label).toBe("speech");
      expect(row.score).toBeGreaterThanOrEqual(0.5);
      return { start: (offset + row.start) % CLIP_SECONDS };
    });
    // Every detection lies in the speech; the silence and the tone give none.
    for (const t of clipTimes) expect(t.start).toBeLessThan(SPEECH_END + HANGOVER);
    // And the speech is found: in the first file (0–3 s) and in the second (3–4.86 s).
    expect(clipTimes.some((t) => t.start < 3)).toBe(true);
    expect(clipTimes.some((t) => t.start >= 3 && t.start < SPEECH_END)).toBe(true);

    // The messages the broker delivered are acoupi's ModelOutput JSON, as the outbox stored them.
    const payloads = subscriber.received().filter((p) => p.includes('"detections"'));
    const outbox = d.db(join(d.home.acoupiHome, "storages/messages.db"));
    for (const payload of payloads) {
      const parsed = JSON.parse(payload) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual(["id", "name_model", "recording", "detections", "created_on"]);
      expect(modelOutputJson(ModelOutputSchema.parse(parsed))).toBe(payload);
      expect(parsed.name_model).toBe("silero_vad_v5");
      const stored = outbox.query("SELECT status FROM messages WHERE content = ?").get(payload) as { status: string } | null;
      expect(stored?.status).toBe("delivered");
      const output = db.query("SELECT recording_id FROM model_outputs WHERE id = ?").get(parsed.id as string) as { recording_id: string } | null;
      expect(output?.recording_id).toBe((parsed.recording as { id: string }).id);
    }
  } finally {
    await d.cleanup();
    await subscriber.stop();
    await broker.cleanup();
  }
}

describe("the detection program with Silero VAD", () => {
  test("detects speech only where the clip has speech and sends acoupi detection messages over MQTT", async () => {
    await detectSpeechAndSend();
  }, 180_000);
});

describe("the detection program, compiled", () => {
  let binary: string;
  beforeAll(() => {
    binary = buildBinary("x64");
  }, 180_000);

  test("the compiled x64 binary runs a whole detection deployment: records, detects, sends over MQTT", async () => {
    await detectSpeechAndSend(binary);
  }, 180_000);
});
