/**
 * Reliability: the privacy filter end to end. The compiled binary runs the detection program
 * with a tiny energy model (real ONNX) that finds something in every recording, the privacy
 * filter on, and MQTT to a real Mosquitto. The microphone plays 3 s segments that alternate
 * espeak-ng speech (over a -20 dBFS tone, or over noise, at several levels) with the tone or the
 * noise alone, so the recordings alternate too. Every speech recording must be deleted, with
 * nothing about it reaching the broker; every other one must be kept and reported; the status
 * and the heartbeat must count the speech recordings dropped.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { startMosquitto, subscribeMqtt, type MosquittoBroker, type MqttSubscriber } from "../../helpers/mosquitto.ts";
import { mix, noise, s16le, speech, tone } from "../../helpers/speech.ts";
import { inspectStores } from "./_invariants.ts";
import { deploy, MIC_DEVICE, mustRun, readStatusFile, recordingCount, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

const RATE = 16000;
const SEGMENT = 3;
const RECORDINGS = 8;

/** Segments of 3 s: speech (over tone or noise, at a level), then its bed alone; repeated. */
function microphone(): Float32Array {
  const voice = speech("See you at the gate at noon.", RATE);
  if (voice.length > (SEGMENT - 0.5) * RATE) throw new Error(`the utterance is ${voice.length / RATE} s long; it must fit a segment`);
  const bedTone = () => tone(SEGMENT, RATE, 2000, 0.1);
  const bedNoise = () => noise(SEGMENT, RATE, 0.05);
  const segments = [
    mix(bedTone(), voice, 0.9, RATE, 0.2), bedTone(),
    mix(bedNoise(), voice, 0.5, RATE, 0.2), bedNoise(),
    mix(bedTone(), voice, 0.3, RATE, 0.2), bedTone(),
    mix(bedNoise(), voice, 0.15, RATE, 0.2), bedNoise(),
  ];
  const all = [...segments, ...segments];
  const out = new Float32Array(all.length * SEGMENT * RATE);
  all.forEach((s, i) => out.set(s, i * SEGMENT * RATE));
  return out;
}

describe("the privacy filter, end to end", () => {
  let rig: Deployment;
  let broker: MosquittoBroker;
  let subscriber: MqttSubscriber;

  beforeAll(async () => {
    const binary = binaryUnderTest();
    broker = await startMosquitto();
    subscriber = await subscribeMqtt({ port: broker.port, topic: "acoupi/#" });
    rig = deploy({ binary });
    writeFileSync(rig.mic.rawPath, s16le(microphone()));
    const model = join(rig.dir, "energy.onnx");
    writeFileSync(model, energyModel(8000));
    mustRun(rig, [
      "setup", "--program", "detection", "--no-prompt", "--timezone", "UTC",
      "--microphone.device_name", MIC_DEVICE, "--microphone.samplerate", String(RATE),
      "--recording.duration", String(SEGMENT), "--recording.interval", String(SEGMENT),
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "1",
      "--file_management.interval", "1",
      "--model.path", model, "--model.labels.0", "sound", "--model.labels.1", "energy", "--model.samplerate", "16000", "--model.window", "0.5",
      "--detections.threshold", "0.01",
      "--privacy.enabled", "true",
      "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", String(broker.port),
      "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "2",
    ]);
  }, 120_000);

  afterAll(async () => {
    await subscriber?.stop();
    await broker?.cleanup();
    rig?.cleanup();
  });

  test("speech recordings are deleted and nothing about them reaches the broker; the others are kept and reported; the counts are right", async () => {
    const runner = rig.spawn(["start", "--name", "park", "--no-check", "--foreground"]);
    await waitFor(`${RECORDINGS} recordings`, () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= RECORDINGS, 90_000, 200);
    const status = await waitFor("the privacy figures", () => {
      const s = readStatusFile(rig);
      const privacy = s?.components.privacy;
      return typeof privacy?.screened === "number" && privacy.screened >= RECORDINGS ? privacy : undefined;
    }, 30_000, 200);
    expect(await terminate(runner)).toBe(0);

    const db = new Database(rig.files.metadata, { readonly: true });
    const rows = db.query<{ id: string; state: string; path: string | null }, []>(`SELECT id, state, ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path FROM recordings ORDER BY created_on`).all();
    db.close();
    // The recordings alternate as the segments do: speech (deleted), then its bed alone (kept).
    const first = rows.slice(0, RECORDINGS);
    expect(first.map((r) => r.state)).toEqual(Array.from({ length: RECORDINGS }, (_, i) => (i % 2 === 0 ? "discarded" : "saved")));
    const speechIds = new Set(rows.filter((r) => r.state === "discarded").map((r) => r.id));
    for (const r of rows.filter((row) => row.state === "discarded")) expect(r.path).toBeNull();
    for (const r of rows.filter((row) => row.state === "saved")) expect(existsSync(r.path ?? "")).toBe(true);

    // Wait until every message in the outbox was received, then look at what the broker carried.
    const inspection = inspectStores(rig);
    await waitFor("the subscriber to get the delivered messages", () => {
      const got = new Set(subscriber.received());
      return [...inspection.messages.values()].filter((m) => m.status === "delivered").every((m) => got.has(m.content));
    }, 20_000, 100);
    // Everything on the broker, the retained online/offline status included, is searched for a speech id.
    const all = subscriber.received();
    expect(all.filter((payload) => [...speechIds].some((id) => payload.includes(id)))).toEqual([]);
    const received = subscriber.messages().filter((m) => !m.topic.endsWith("/status")).map((m) => m.payload);
    const mentioned = received.filter((payload) => [...speechIds].some((id) => payload.includes(id)));
    expect(mentioned).toEqual([]);
    const reported = new Set(
      received.flatMap((payload) => {
        const json = JSON.parse(payload) as { recording?: { id?: string } };
        return json.recording?.id === undefined ? [] : [json.recording.id];
      }),
    );
    for (const r of first.filter((row) => row.state === "saved")) expect(reported.has(r.id)).toBe(true);
    expect(inspection.problems).toEqual([]);

    // The status was read before the stop; the runner may have screened one more since.
    expect(Number(status.speech_dropped)).toBeGreaterThanOrEqual(RECORDINGS / 2);
    expect(Number(status.speech_dropped)).toBeLessThanOrEqual(speechIds.size);
    expect(status.speech_dropped_today).toBe(status.speech_dropped);
    const heartbeats = received.map((p) => JSON.parse(p) as { metrics?: Array<{ name: string; value: number }> }).filter((h) => h.metrics !== undefined);
    const dropped = heartbeats.flatMap((h) => h.metrics ?? []).filter((m) => m.name === "privacy_speech_dropped").map((m) => m.value);
    expect(dropped.length).toBeGreaterThan(0);
    expect(Math.max(...dropped)).toBeGreaterThanOrEqual(RECORDINGS / 2);
    expect(Math.max(...dropped)).toBeLessThanOrEqual(speechIds.size);
  }, 180_000);
});
