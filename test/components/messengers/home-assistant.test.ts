/**
 * @module Home Assistant MQTT discovery over a real Mosquitto: the messaging template with
 * `messaging.mqtt.homeassistant.enabled` publishes retained configs under the prefix, one device
 * entry with the availability topic, and a retained state whose keys every value_template reads;
 * every config is checked against Home Assistant's documented sensor discovery keys
 * (test/fixtures/home-assistant). The state's figures come from a real SqliteStore.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createConsola } from "consola";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { HOME_ASSISTANT_SENSORS } from "../../../src/components/messengers/home-assistant-discovery.ts";
import { homeAssistantState, startOfDay } from "../../../src/components/messengers/home-assistant-state.ts";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { boundingBox, createDeployment, type ModelOutput, type Recording } from "../../../src/data/index.ts";
import { defineProgram, instantiateProgram } from "../../../src/programs/define-program.ts";
import { MessagingConfigSchema, messagingTemplate } from "../../../src/programs/templates/messaging.ts";
import { ManualClock } from "../../../src/scheduler/clock.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { HOMEASSISTANT_TASK } from "../../../src/tasks/names.ts";
import { startMosquitto, subscribeMqtt, type MosquittoBroker } from "../../helpers/mosquitto.ts";

interface HaSchema {
  id_charset: string;
  required: string[];
  required_for_device_entities: string[];
  keys: string[];
  device_keys: string[];
  device_requires_one_of: string[];
  origin_keys: string[];
  origin_required: string[];
  entity_category: string[];
  state_class: string[];
  device_class_units: Record<string, string[]>;
}
const HA: HaSchema = JSON.parse(readFileSync(join(import.meta.dir, "../../fixtures/home-assistant/mqtt-sensor-discovery.json"), "utf8"));

/** What keeps `config` (published on `topic`) from being a valid Home Assistant sensor discovery config. */
function discoveryProblems(topic: string, config: Record<string, unknown>, prefix: string): string[] {
  const problems: string[] = [];
  const levels = topic.split("/");
  const idRe = new RegExp(HA.id_charset);
  if (levels[0] !== prefix || levels[1] !== "sensor" || levels.at(-1) !== "config" || !(levels.length === 4 || levels.length === 5)) {
    problems.push(`topic ${topic} is not <prefix>/sensor/[<node_id>/]<object_id>/config`);
  }
  for (const id of levels.slice(2, -1)) if (!idRe.test(id)) problems.push(`topic level ${id} has characters outside ${HA.id_charset}`);
  for (const key of Object.keys(config)) if (!HA.keys.includes(key)) problems.push(`unknown key ${key}`);
  for (const key of [...HA.required, ...HA.required_for_device_entities]) if (!(key in config)) problems.push(`missing ${key}`);
  const device = config.device as Record<string, unknown> | undefined;
  if (device !== undefined) {
    for (const key of Object.keys(device)) if (!HA.device_keys.includes(key)) problems.push(`unknown device key ${key}`);
    if (!HA.device_requires_one_of.some((k) => Array.isArray(device[k]) && (device[k] as unknown[]).length > 0)) problems.push("device has no identifiers");
  }
  const origin = config.origin as Record<string, unknown> | undefined;
  if (origin !== undefined) {
    for (const key of Object.keys(origin)) if (!HA.origin_keys.includes(key)) problems.push(`unknown origin key ${key}`);
    for (const key of HA.origin_required) if (!(key in origin)) problems.push(`origin misses ${key}`);
  }
  if (config.entity_category !== undefined && !HA.entity_category.includes(String(config.entity_category))) problems.push("bad entity_category");
  if (config.state_class !== undefined && !HA.state_class.includes(String(config.state_class))) problems.push("bad state_class");
  if (config.device_class !== undefined) {
    const units = HA.device_class_units[String(config.device_class)];
    if (units === undefined) problems.push(`device_class ${config.device_class} not in the fixture`);
    else if (units.length === 0 ? config.unit_of_measurement !== undefined : !units.includes(String(config.unit_of_measurement))) {
      problems.push(`unit ${config.unit_of_measurement} does not fit device_class ${config.device_class}`);
    }
    if (config.device_class === "timestamp" && config.state_class !== undefined) problems.push("a timestamp sensor has no state_class");
  }
  if (typeof config.state_topic === "string" && /[+#]/.test(config.state_topic)) problems.push("state_topic has a wildcard");
  return problems;
}

const DEVICE = "garden-7";
let dir: string;
const cleanups: Array<() => unknown> = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-ha-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ProgramSchema = z.object({ messaging: MessagingConfigSchema });

async function program(mqtt: Record<string, unknown>) {
  const definition = defineProgram({
    name: "ha-test",
    configSchema: ProgramSchema,
    setup(config, ctx) {
      messagingTemplate(ctx, config.messaging, {}, { defaultMetrics: false });
    },
  });
  const config = ProgramSchema.parse({ messaging: { messages_db: join(dir, `${crypto.randomUUID()}.db`), mqtt } });
  const instance = await instantiateProgram(definition, config, {
    paths: acoupiPaths(dir),
    deviceId: DEVICE,
    clock: new ManualClock(new Date("2026-05-01T10:00:00Z")),
    logger: createConsola({ level: 0 }),
    version: "9.9.9-test",
  });
  cleanups.push(() => instance.close());
  return instance;
}

describe("Home Assistant discovery through the messaging template", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("off by default: no homeassistant task is registered", async () => {
    const instance = await program({ host: "127.0.0.1", port: broker.port });
    expect(instance.context.tasks.map((t) => t.name)).not.toContain(HOMEASSISTANT_TASK);
  });

  test("enabled, it publishes retained, well-formed configs for one device with its availability, and a retained state", async () => {
    const instance = await program({ host: "127.0.0.1", port: broker.port, homeassistant: { enabled: true } });
    const task = instance.context.tasks.find((t) => t.name === HOMEASSISTANT_TASK);
    expect(task?.schedule).toEqual({ every: 300 });
    await task?.run(undefined);

    // Subscribing afterwards shows what Home Assistant sees when it starts: the retained messages.
    const seen = await subscribeMqtt({ port: broker.port, topic: "homeassistant/#" });
    const state = await subscribeMqtt({ port: broker.port, topic: `acoupi-ha/${DEVICE}/#` });
    cleanups.push(() => seen.stop(), () => state.stop());
    const deadline = Date.now() + 5000;
    while ((seen.messages().length < HOME_ASSISTANT_SENSORS.length || state.messages().length < 2) && Date.now() < deadline) await Bun.sleep(20);

    const configs = seen.messages();
    expect(configs.length).toBe(9);
    expect(configs.every((m) => m.retain)).toBe(true);
    const parsed = configs.map((m) => ({ topic: m.topic, config: JSON.parse(m.payload) as Record<string, unknown> }));
    for (const { topic, config } of parsed) expect([topic, discoveryProblems(topic, config, "homeassistant")]).toEqual([topic, []]);
    expect(new Set(parsed.map((p) => p.config.unique_id)).size).toBe(9);
    expect(new Set(parsed.map((p) => JSON.stringify(p.config.device))).size).toBe(1);
    expect(parsed[0]?.config.device).toMatchObject({ identifiers: ["acoupi_garden-7"], sw_version: "9.9.9-test" });
    const keys = parsed.map((p) => String(p.config.value_template).match(/value_json\.(\w+)/)?.[1]);
    expect(keys.sort()).toEqual([
      "cpu_temperature", "detections_today", "disk_free_mb", "health", "last_detection_label", "last_detection_score",
      "last_recording", "outbox_depth", "recordings_today",
    ]);

    const availability = `acoupi-ha/${DEVICE}/availability`;
    expect(new Set(parsed.map((p) => p.config.availability_topic))).toEqual(new Set([availability]));
    expect(state.messages().find((m) => m.topic === availability)).toEqual({ topic: availability, payload: "online", retain: true });
    const stateMessage = state.messages().find((m) => m.topic === `acoupi-ha/${DEVICE}/state`);
    expect(stateMessage?.retain).toBe(true);
    const values = JSON.parse(stateMessage?.payload ?? "{}") as Record<string, unknown>;
    for (const key of keys) expect(key !== undefined && key in values).toBe(true);
    expect(values).toMatchObject({ health: "OK", outbox_depth: 0, recordings_today: 0 });
  });

  test("after a broker restart (retained messages lost) the next run publishes the configs again", async () => {
    const own = await startMosquitto();
    cleanups.push(() => own.cleanup());
    const instance = await program({ host: "127.0.0.1", port: own.port, homeassistant: { enabled: true, discovery_prefix: "ha-test" } });
    const task = instance.context.tasks.find((t) => t.name === HOMEASSISTANT_TASK);
    await task?.run(undefined);
    await own.restart();
    let again: unknown = null;
    for (let i = 0; i < 50 && again === null; i++) {
      again = await Promise.resolve(task?.run(undefined)).then(() => "ok", () => null);
      if (again === null) await Bun.sleep(100);
    }
    const seen = await subscribeMqtt({ port: own.port, topic: "ha-test/#" });
    cleanups.push(() => seen.stop());
    const deadline = Date.now() + 5000;
    while (seen.messages().length < 9 && Date.now() < deadline) await Bun.sleep(20);
    expect(seen.messages().length).toBe(9);
  });
});

describe("homeAssistantState", () => {
  test("counts today's recordings and detections from the store, in the time zone, and reads the last detection", () => {
    const store = new SqliteStore({ db_metadata: join(dir, `${crypto.randomUUID()}.db`) });
    cleanups.push(() => store.close());
    const deployment = createDeployment({ name: "garden", now: new Date("2026-04-01T00:00:00Z") });
    store.storeDeployment(deployment);
    const recording = (at: string): Recording => ({
      id: crypto.randomUUID(), created_on: new Date(at), duration: 3, samplerate: 48000, deployment, path: null,
      audio_channels: 1, time_expansion: 1, bit_depth: 16,
    });
    // 23:30 UTC on 30 April is 01:30 on 1 May in Berlin (UTC+2): it counts as today there.
    const recs = [recording("2026-04-30T21:00:00Z"), recording("2026-04-30T23:30:00Z"), recording("2026-05-01T08:00:00Z")];
    for (const r of recs) store.storeRecording(r);
    const output = (r: Recording, at: string, score: number, label: string): ModelOutput => ({
      id: crypto.randomUUID(), name_model: "m", recording: r, created_on: new Date(at),
      detections: [{ id: crypto.randomUUID(), prediction_type: "presence", location: boundingBox(0, 0, 3, 24000), detection_score: score,
        tags: [{ tag: { key: "species", value: label }, confidence_score: score }, { tag: { key: "species", value: "other" }, confidence_score: 0.01 }] }],
    });
    store.storeModelOutputs([
      output(recs[0] as Recording, "2026-04-30T21:00:05Z", 0.4, "Erithacus rubecula"),
      output(recs[2] as Recording, "2026-05-01T08:00:05Z", 0.87, "Turdus merula"),
    ]);
    const thermal = join(dir, "temp");
    writeFileSync(thermal, "48312\n");
    const now = new Date("2026-05-01T09:00:00Z");
    const state = homeAssistantState({
      health: () => "OK",
      lastRecordingAt: () => recs[2]?.created_on ?? null,
      activity: store,
      outboxPending: () => 4,
      storagePath: dir,
      timezone: "Europe/Berlin",
      thermalZonePath: thermal,
      now: () => now,
    })();
    expect(startOfDay(now, "Europe/Berlin").toISOString()).toBe("2026-04-30T22:00:00.000Z");
    expect(state).toMatchObject({
      health: "OK",
      last_recording: "2026-05-01T08:00:00.000Z",
      recordings_today: 2,
      detections_today: 1,
      last_detection_label: "Turdus merula",
      last_detection_score: 0.87,
      cpu_temperature: 48.312,
      outbox_depth: 4,
    });
    expect(state.disk_free_mb).toBeGreaterThan(0);
  });
});
