/**
 * @module Two sensors with one device id (a cloned SD card) on a real Mosquitto: the broker takes
 * the session over each time the other connects. The messenger names the duplicate in its status
 * (which the heartbeat and `acoupi status` carry) and backs its reconnects off; an unstable
 * network (a broker restart) is not mistaken for it. Device ids that cannot be a topic level are
 * refused when the messenger is made.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createConsola } from "consola";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { defineProgram, instantiateProgram } from "../../../src/programs/define-program.ts";
import { MessagingConfigSchema, messagingTemplate } from "../../../src/programs/templates/messaging.ts";
import { systemClock } from "../../../src/scheduler/clock.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { MqttConfigSchema, MqttMessenger } from "../../../src/components/messengers/mqtt-messenger.ts";
import { TakeoverDetector } from "../../../src/components/messengers/_mqtt-takeover.ts";
import { createMessage } from "../../../src/data/index.ts";
import { ConfigError } from "../../../src/errors.ts";
import { startMosquitto, type MosquittoBroker } from "../../helpers/mosquitto.ts";

/** Reconnect base of the messengers here (1 s on a sensor): the reconnects these tests wait for come sooner. */
const RECONNECT_MS = 100;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function messenger(port: number, deviceId: string, extra: Record<string, unknown> = {}): MqttMessenger {
  const m = new MqttMessenger(MqttConfigSchema.parse({ host: "127.0.0.1", port, timeout: 2, ...extra }), { deviceId, reconnectBaseMs: RECONNECT_MS });
  cleanups.push(() => m.close());
  return m;
}

describe("a duplicate device id", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("two sensors with one id: the takeovers are named in status and the reconnects back off", async () => {
    const a = messenger(broker.port, "cloned-image-id");
    const b = messenger(broker.port, "cloned-image-id");
    await a.send(createMessage("heartbeat", "{}"));
    await b.send(createMessage("heartbeat", "{}"));
    const deadline = Date.now() + 20_000;
    const flagged = () => [a, b].find((m) => m.status().degraded?.includes("Duplicate device id suspected"));
    while (flagged() === undefined && Date.now() < deadline) await Bun.sleep(100);
    const m = flagged();
    expect(m).toBeDefined();
    const status = m?.status();
    expect(status?.degraded).toContain('ended the session of MQTT client id "cloned-image-id"');
    expect(Number(status?.figures?.session_takeovers)).toBeGreaterThanOrEqual(3);
    expect(Number(status?.figures?.reconnect_period_s)).toBeGreaterThanOrEqual(5);
  }, 30_000);

  test("the heartbeat a program sends says so, naming the id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acoupi-dup-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const Schema = z.object({ messaging: MessagingConfigSchema });
    let made: ReturnType<typeof messagingTemplate> | null = null;
    const definition = defineProgram({
      name: "dup-test",
      configSchema: Schema,
      setup(config, ctx) {
        made = messagingTemplate(ctx, config.messaging, {}, { defaultMetrics: false });
      },
    });
    const config = Schema.parse({ messaging: { messages_db: join(dir, "messages.db"), mqtt: { host: "127.0.0.1", port: broker.port, timeout: 2 } } });
    const instance = await instantiateProgram(definition, config, {
      paths: acoupiPaths(dir), deviceId: "twin-sensor", clock: systemClock, logger: createConsola({ level: 0 }), version: "test",
    });
    cleanups.push(() => instance.close());
    const twin = messenger(broker.port, "twin-sensor");
    const template = made as ReturnType<typeof messagingTemplate> | null;
    if (template === null) throw new Error("the template did not run");
    await template.messenger?.check();
    await twin.send(createMessage("heartbeat", "{}"));
    const deadline = Date.now() + 20_000;
    while (!instance.context.collectStatus().degraded.some((d) => d.includes("Duplicate device id suspected")) && Date.now() < deadline) {
      await Bun.sleep(100);
    }
    const heartbeat = instance.context.tasks.find((t) => t.name === "heartbeat_task");
    await heartbeat?.run(undefined);
    const stored = template.outbox.getUnsentMessages().find((m) => m.kind === "heartbeat");
    const status = String(JSON.parse(stored?.content ?? "{}").status);
    expect(status).toContain("Duplicate device id suspected");
    expect(status).toContain('"twin-sensor"');
  }, 30_000);

  test("a sensor alone, through two quick broker restarts, is not taken for a duplicate", async () => {
    const own = await startMosquitto();
    cleanups.push(() => own.cleanup());
    const m = messenger(own.port, "single-sensor");
    await m.send(createMessage("heartbeat", "{}"));
    for (let i = 0; i < 2; i++) {
      await own.restart();
      const deadline = Date.now() + 10_000;
      while (!m.connected && Date.now() < deadline) await Bun.sleep(50);
    }
    expect(m.connected).toBe(true);
    expect(m.status().degraded).toBeNull();
  }, 40_000);
});

describe("TakeoverDetector", () => {
  test("three short, cleanly ended sessions make a verdict; errors and long sessions do not count", () => {
    let now = 0;
    const d = new TakeoverDetector(() => now);
    const session = (ms: number, error = false) => {
      d.connected();
      now += ms;
      if (error) d.errored();
      return d.closed();
    };
    session(500, true);
    session(500, true);
    session(500, true);
    expect(d.suspected).toBe(false);
    session(70_000);
    session(800);
    session(800);
    expect(d.suspected).toBe(false);
    const verdict = session(800);
    expect(d.suspected).toBe(true);
    expect(verdict.reconnectMs).toBe(5000);
    expect(session(800).reconnectMs).toBe(10_000);
    d.connected();
    now += 61_000;
    expect(d.suspected).toBe(false);
  });
  test("the reconnect base is a dependency: it is the period until a verdict, the backoff starts at 5 s, and a stable session returns to it", () => {
    let now = 0;
    const d = new TakeoverDetector(() => now, 100);
    expect(d.reconnectMs).toBe(100);
    const session = (ms: number) => {
      d.connected();
      now += ms;
      return d.closed();
    };
    expect(session(200).reconnectMs).toBe(100);
    expect(session(200).reconnectMs).toBe(100);
    expect(session(200).reconnectMs).toBe(5000);
    session(61_000);
    expect(d.suspected).toBe(false);
    expect(d.reconnectMs).toBe(100);
  });
});

describe("device ids in topics", () => {
  test("an id with a wildcard, a / or a control character is refused with the key and a help line", () => {
    for (const id of ["bad+id", "bad#id", "site/7", "bell\u0007"]) {
      let error: unknown = null;
      try {
        messenger(1, id);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe("messaging.mqtt.topic");
      expect((error as ConfigError).help).toContain("--device-id");
    }
    expect(messenger(1, "garden-7_b").topic).toBe("acoupi/garden-7_b");
  });
});
