/**
 * @module Our messages against acoupi-grafana-dashboard's ingest, as its published pydantic
 * models describe them (test/fixtures/acoupi-dashboard): each payload kind validates against
 * its model, and over a real Mosquitto a subscriber to `#` that files messages the way the ingest
 * does sees one device per sensor, with no message rejected or unknown.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createConsola } from "consola";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../../../src/components/message-stores/sqlite-message-store.ts";
import { detectionThresholdMessage } from "../../../src/components/message-builders/detection-threshold-message.ts";
import { MqttConfigSchema, MqttMessenger } from "../../../src/components/messengers/mqtt-messenger.ts";
import {
  boundingBox,
  createDeployment,
  deploymentTree,
  modelOutputJson,
  recordingTree,
  stringifyAcoupi,
  type ModelOutput,
} from "../../../src/data/index.ts";
import { systemMetrics } from "../../../src/system/metrics.ts";
import { heartbeatTask } from "../../../src/tasks/heartbeat.ts";
import { sendMessagesTask } from "../../../src/tasks/send-messages.ts";
import { DASHBOARD, ingest, validate } from "../../helpers/dashboard-ingest.ts";
import { startMosquitto, subscribeMqtt, type MosquittoBroker } from "../../helpers/mosquitto.ts";

const DEVICE = "e4b1c2d3a4f50617";

function output(): ModelOutput {
  return {
    id: crypto.randomUUID(),
    name_model: "BirdNET",
    recording: {
      id: crypto.randomUUID(),
      created_on: new Date("2026-05-01T06:00:00Z"),
      duration: 3,
      samplerate: 48000,
      deployment: createDeployment({ name: "garden", latitude: 51.5, longitude: -0.1, now: new Date("2026-05-01T00:00:00Z") }),
      path: "/var/lib/acoupi/recordings/20260501_060000.wav",
      audio_channels: 1,
      time_expansion: 1,
      bit_depth: 16,
    },
    detections: [
      {
        id: crypto.randomUUID(),
        prediction_type: "presence",
        location: boundingBox(0, 0, 3, 24000),
        detection_score: 0.91,
        tags: [{ tag: { key: "species", value: "Turdus merula" }, confidence_score: 0.91 }],
      },
    ],
    created_on: new Date("2026-05-01T06:00:04Z"),
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-dashboard-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function heartbeatContent(): string {
  const outbox = new SqliteMessageStore({ messages_db: join(dir, `${crypto.randomUUID()}.db`) });
  heartbeatTask({ outbox, deviceId: DEVICE, metrics: () => systemMetrics({ storagePath: dir }), logger: createConsola({ level: 0 }) }).run();
  const [message] = outbox.getUnsentMessages();
  outbox.close();
  return message?.content ?? "";
}

describe("payloads against the dashboard's ingest models", () => {
  test("a recording, with bit_depth, validates as the ingest's Recording", () => {
    const tree = JSON.parse(stringifyAcoupi(recordingTree(output().recording)));
    expect(validate("Recording", tree)).toEqual([]);
    expect(tree.bit_depth).toBe(16);
    expect(DASHBOARD.ingest.optional_reads["Recording.bit_depth"]).toBe("int");
  });

  test("a deployment validates as the ingest's Deployment, ended or not", () => {
    const deployment = output().recording.deployment;
    expect(validate("Deployment", JSON.parse(stringifyAcoupi(deploymentTree(deployment))))).toEqual([]);
    const ended = { ...deployment, ended_on: new Date("2026-06-01T00:00:00Z") };
    expect(validate("Deployment", JSON.parse(stringifyAcoupi(deploymentTree(ended))))).toEqual([]);
  });

  test("a detection message validates as ModelOutput and is filed as a detection", () => {
    const message = detectionThresholdMessage(0.5)(output());
    expect(validate("ModelOutput", JSON.parse(message?.content ?? "null"))).toEqual([]);
    expect(ingest(`acoupi/${DEVICE}`, message?.content ?? "")).toEqual({ device: DEVICE, status: "accepted", type: "detection" });
    expect(validate("ModelOutput", JSON.parse(modelOutputJson(output())))).toEqual([]);
  });

  test("a heartbeat made by the heartbeat task, with its metrics, is filed as a heartbeat", () => {
    const content = heartbeatContent();
    expect(validate("Heartbeat", JSON.parse(content))).toEqual([]);
    expect(ingest(`acoupi/${DEVICE}`, content)).toEqual({ device: DEVICE, status: "accepted", type: "heartbeat" });
  });

  test("the checker itself refuses what the ingest refuses: plain text, a missing field, a wrong type", () => {
    expect(ingest(`acoupi/${DEVICE}/status`, "online")).toEqual({ device: `${DEVICE}/status`, status: "rejected", type: null });
    expect(validate("Heartbeat", { device_id: "x" })).toEqual(["Heartbeat.sent_on: required"]);
    const tree = JSON.parse(stringifyAcoupi(recordingTree(output().recording)));
    expect(validate("Recording", { ...tree, samplerate: 48000.5 })).toEqual(["Recording.samplerate: expected an integer"]);
  });
});

describe("a dashboard-style subscriber to # on a real Mosquitto", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("sees one device and accepts every message a sensor with the default MQTT config sends, retained ones included", async () => {
    const subscriber = await subscribeMqtt({ port: broker.port, topic: "#" });
    const outbox = new SqliteMessageStore({ messages_db: join(dir, `${crypto.randomUUID()}.db`) });
    const quiet = createConsola({ level: 0 });
    heartbeatTask({ outbox, deviceId: DEVICE, logger: quiet }).run();
    const detection = detectionThresholdMessage(0.5)(output());
    if (detection !== null) outbox.storeMessage(detection);
    const messenger = new MqttMessenger(MqttConfigSchema.parse({ host: "127.0.0.1", port: broker.port }), { deviceId: DEVICE });
    const result = await sendMessagesTask({ outbox, messengers: messenger, logger: quiet }).run();
    expect(result.delivered).toBe(2);
    await messenger.close();
    outbox.close();
    // A late subscriber (the ingest restarting) also gets whatever is retained.
    const late = await subscribeMqtt({ port: broker.port, topic: "#" });
    await Bun.sleep(300);
    const filed = [...subscriber.messages(), ...late.messages()].map((m) => ingest(m.topic, m.payload));
    await subscriber.stop();
    await late.stop();
    expect(new Set(filed.map((f) => f.device))).toEqual(new Set([DEVICE]));
    expect(filed.filter((f) => f.status !== "accepted")).toEqual([]);
    expect(filed.map((f) => f.type).sort()).toEqual(["detection", "heartbeat"]);
  });
});
