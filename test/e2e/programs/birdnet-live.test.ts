/**
 * @module The `birdnet` preset live, through the real CLI, with a model of the published ONNX
 * conversions' I/O (test/helpers/birdnet-model.ts: [batch, 144000] in, 6522 logits out, sigmoid
 * outside) and BirdNET's `Genus species_Common Name` labels file, set with nothing but
 * `model.path` and `model.labels`. The fake microphone replays a 1 kHz tone at 48 kHz, messages go
 * to a real Mosquitto on 127.0.0.1. Messages keep acoupi 0.6's shape with the scientific name in
 * the species tag and a common_name tag beside it (the Grafana dashboard's ingest accepts them),
 * exports and listings show both, and `summary` counts by species. A `.tflite` path is refused at
 * setup, and a `model.sha256` that differs is refused by `check` and `start`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ModelOutputSchema } from "../../../src/data/index.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { readLivePid } from "../../../src/system/pidfile.ts";
import { birdnetLabels, birdnetModel, sine } from "../../helpers/birdnet-model.ts";
import { ingest } from "../../helpers/dashboard-ingest.ts";
import { startMosquitto, subscribeMqtt, type MosquittoBroker, type MqttSubscriber } from "../../helpers/mosquitto.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

const DEVICE = "test-device-0001";
let d: Deployment;
let broker: MosquittoBroker;
let subscriber: MqttSubscriber;
let model: string;
let labels: string;

beforeAll(async () => {
  const audio = sine(6, 0.5);
  d = deploy({ mic: Int16Array.from(audio, (v) => Math.round(v * 32767)), prefix: "acoupi-birdnet-live-" });
  model = join(d.home.home, "BirdNET_GLOBAL_6K_V2.4_Model_FP32.onnx");
  labels = join(d.home.home, "BirdNET_GLOBAL_6K_V2.4_Labels.txt");
  writeFileSync(model, birdnetModel());
  writeFileSync(labels, birdnetLabels());
  broker = await startMosquitto();
  subscriber = await subscribeMqtt({ port: broker.port, topic: `acoupi/${DEVICE}` });
});
afterAll(async () => {
  await d.cleanup();
  await subscriber.stop();
  await broker.cleanup();
});

function setup(extra: string[]): ReturnType<Deployment["run"]> {
  return d.run([
    "setup", "--program", "birdnet", "--no-prompt", "--microphone.device_name", d.mic.device,
    "--recording.duration", "3", "--recording.interval", "3",
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
    "--file_management.interval", "2",
    "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", String(broker.port),
    "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "3600",
    ...extra,
  ]);
}

describe("the birdnet preset with the published model contract", () => {
  test("with only model.path and model.labels set, detections arrive with the species and the common name apart", async () => {
    const set = setup(["--model.path", model, "--model.labels", labels]);
    expect(set.code, said(set)).toBe(0);
    const start = d.run(["start", "--name", "birds"]);
    expect(start.code, said(start)).toBe(0);
    const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
    await waitFor("model outputs for two recordings", () => countRows(dbPath, "SELECT DISTINCT recording_id FROM model_outputs") >= 2, 120_000);
    await waitFor("detection messages", () => subscriber.received().filter((p) => p.includes('"detections"')).length >= 1, 30_000);
    const stop = d.run(["stop"]);
    expect(stop.code, said(stop)).toBe(0);

    // Messages: acoupi 0.6's ModelOutput, species = scientific name, plus a common_name tag.
    const payloads = subscriber.received().filter((p) => p.includes('"detections"'));
    for (const payload of payloads) expect(ingest(`acoupi/${DEVICE}`, payload)).toEqual({ device: DEVICE, status: "accepted", type: "detection" });
    const detections = payloads.flatMap((p) => ModelOutputSchema.parse(JSON.parse(p)).detections);
    expect(detections.length).toBeGreaterThanOrEqual(2);
    const tagSets = new Set(detections.map((det) => JSON.stringify(det.tags.map((t) => [t.tag.key, t.tag.value]))));
    // At the preset's message threshold (0.4), the Blackbird (0.59) and the Robin (clipped, 1.0); not the Owl (0.05).
    expect([...tagSets].sort()).toEqual(
      [
        [["species", "Erithacus rubecula"], ["common_name", "European Robin"]],
        [["species", "Turdus merula"], ["common_name", "Eurasian Blackbird"]],
      ].map((t) => JSON.stringify(t)),
    );

    // Exports and listings carry both names.
    const out = join(d.home.home, "csv");
    const exported = d.run(["export", "--format", "csv", "--out", out]);
    expect(exported.code, said(exported)).toBe(0);
    const [header, ...lines] = readFileSync(join(out, "detections.csv"), "utf8").trim().split(/\r?\n/).map((l) => l.split(","));
    const at = (name: string) => (header as string[]).indexOf(name);
    const pairs = new Set(lines.map((l) => `${l[at("label")]}|${l[at("common_name")]}`));
    expect(pairs.has("Turdus merula|Eurasian Blackbird")).toBe(true);
    expect(pairs.has("Erithacus rubecula|European Robin")).toBe(true);
    const listed = d.run(["detections"]);
    expect(listed.code, said(listed)).toBe(0);
    expect(listed.stdout).toContain("Eurasian Blackbird (Turdus merula)");
    const byCommon = d.run(["detections", "--label", "European Robin", "--json"]);
    expect(byCommon.code, said(byCommon)).toBe(0);
    const robins = byCommon.stdout.trim().split("\n").map((l) => JSON.parse(l) as { label: string; common_name: string });
    expect(robins.length).toBe(lines.filter((l) => l[at("label")] === "Erithacus rubecula").length);
    expect(new Set(robins.map((r) => `${r.label}|${r.common_name}`))).toEqual(new Set(["Erithacus rubecula|European Robin"]));

    // `summary` counts each detection once, under its species.
    const summary = d.run(["summary", "--json"]);
    expect(summary.code, said(summary)).toBe(0);
    const days = summary.stdout.trim().split("\n").map((l) => JSON.parse(l) as { detections: Record<string, number> });
    const counted = Object.assign({}, ...days.map((day) => day.detections)) as Record<string, number>;
    // The Owl (0.05) is below detections.threshold (0.2), so it is not stored.
    expect(Object.keys(counted).sort()).toEqual(["Erithacus rubecula", "Turdus merula"]);
    expect(counted["Turdus merula"]).toBe(lines.filter((l) => l[at("label")] === "Turdus merula").length);
  }, 240_000);

  test("a .tflite model path is refused at setup with what to do, and the configuration is left as it was", () => {
    const before = readFileSync(join(d.home.acoupiHome, "config/program.json"), "utf8");
    const refused = setup(["--model.path", join(d.home.home, "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"), "--model.labels", labels]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("model.path");
    expect(refused.stderr).toContain("TensorFlow Lite");
    expect(refused.stderr).toContain("ONNX conversion");
    expect(refused.stderr).not.toMatch(/truncated|download it again/i);
    expect(readFileSync(join(d.home.acoupiHome, "config/program.json"), "utf8")).toBe(before);
  });

  test("a model.sha256 that differs from the file is refused by check and by start, showing both hashes", () => {
    const actual = new Bun.CryptoHasher("sha256").update(readFileSync(model)).digest("hex");
    const pinned = "ab".repeat(32);
    const set = setup(["--model.path", model, "--model.labels", labels, "--model.sha256", pinned]);
    expect(set.code, said(set)).toBe(0);
    for (const command of [["check"], ["start", "--name", "pinned"]]) {
      const refused = d.run(command);
      expect(refused.code, said(refused)).not.toBe(0);
      expect(refused.stderr).toContain(actual);
      expect(refused.stderr).toContain(pinned);
      expect(refused.stderr).toContain("model.sha256");
    }
    expect(readLivePid(acoupiPaths(d.home.acoupiHome).pidFile)).toBeNull();
    const fixed = d.run(["config", "set", "model.sha256", actual]);
    expect(fixed.code, said(fixed)).toBe(0);
    const check = d.run(["check"]);
    expect(check.code, said(check)).toBe(0);
  }, 120_000);
});
