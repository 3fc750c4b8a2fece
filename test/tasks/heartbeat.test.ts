import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createConsola, type ConsolaInstance } from "consola";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../../src/components/message-stores/sqlite-message-store.ts";
import { MqttConfigSchema, MqttMessenger } from "../../src/components/messengers/mqtt-messenger.ts";
import type { Metric } from "../../src/data/index.ts";
import { defineProgram, instantiateProgram } from "../../src/programs/define-program.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { ManualTimers } from "../../src/scheduler/manual-timers.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { heartbeatStatus, heartbeatTask } from "../../src/tasks/heartbeat.ts";
import { sendMessagesTask } from "../../src/tasks/send-messages.ts";
import { z } from "zod";
import { startMosquitto, subscribeMqtt } from "../helpers/mosquitto.ts";

const FAR_FUTURE = new Date("2100-01-01T00:00:00Z");
let dir: string;
const cleanups: Array<() => unknown> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-heartbeat-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function capture(lines: string[] = []): ConsolaInstance {
  return createConsola({ level: 5, reporters: [{ log: (entry) => void lines.push(entry.args.map(String).join(" ")) }] });
}

function openOutbox(): SqliteMessageStore {
  const outbox = new SqliteMessageStore(
    { messages_db: join(dir, `${crypto.randomUUID()}.db`), backoff_base_s: 1, backoff_cap_s: 4 },
    { random: () => 0, logger: capture(), synchronous: "NORMAL" },
  );
  cleanups.push(() => outbox.close());
  return outbox;
}

describe("heartbeat_task", () => {
  test("it stores acoupi's heartbeat JSON in the outbox as a heartbeat message dated when it was made", () => {
    const clock = new ManualClock(new Date("2025-03-01T10:00:00Z"));
    const outbox = openOutbox();
    const task = heartbeatTask({ outbox, deviceId: "10000000abcdef", clock, logger: capture() }).run;
    expect(task.name).toBe("heartbeat_task");
    const heartbeat = task();
    expect(heartbeat.sent_on).toEqual(new Date("2025-03-01T10:00:00Z"));
    const [message] = outbox.getUnsentMessages({ now: FAR_FUTURE });
    expect(message?.kind).toBe("heartbeat");
    expect(message?.created_on).toEqual(new Date("2025-03-01T10:00:00Z"));
    expect(message?.content).toBe('{"sent_on":"2025-03-01T10:00:00Z","device_id":"10000000abcdef","status":"OK"}');
  });

  test("metrics are sampled into the heartbeat and a source that throws is left out and logged", () => {
    const clock = new ManualClock(new Date("2025-03-01T10:00:00Z"));
    const outbox = openOutbox();
    const lines: string[] = [];
    const one = (): Metric => ({ name: "outbox_pending", value: 3, unit: "count", captured_on: clock.now() });
    const many = (): Metric[] => [{ name: "free_memory", value: 1024, unit: "bytes", captured_on: clock.now() }];
    const broken = function thermal(): Metric[] {
      throw new Error("no thermal zone");
    };
    const task = heartbeatTask({ outbox, deviceId: "dev", clock, metrics: [one, broken, many], status: () => "busy", logger: capture(lines) }).run;
    const heartbeat = task();
    expect(heartbeat.metrics.map((m) => m.name)).toEqual(["outbox_pending", "free_memory"]);
    const content = JSON.parse(outbox.getUnsentMessages({ now: FAR_FUTURE })[0]?.content ?? "{}");
    expect(content).toMatchObject({ status: "busy", metrics: [{ name: "outbox_pending", value: 3 }, { name: "free_memory", value: 1024 }] });
    expect(lines.join("\n")).toMatch(/thermal.*left out/);
  });

  test("a custom serializer decides the content", () => {
    const outbox = openOutbox();
    heartbeatTask({ outbox, deviceId: "dev", serializer: (h) => `alive ${h.device_id}`, logger: capture() }).run();
    expect(outbox.getUnsentMessages({ now: FAR_FUTURE })[0]?.content).toBe("alive dev");
  });

  test("a heartbeat made while offline carries its original sent_on when it is delivered", async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    await broker.stop();
    const clock = new ManualClock(new Date("2025-03-01T10:00:00Z"));
    const outbox = openOutbox();
    const config = MqttConfigSchema.parse({ host: "127.0.0.1", port: broker.port, timeout: 2, client_id: `hb-${crypto.randomUUID()}` });
    const messenger = new MqttMessenger(config, { deviceId: "dev" });
    cleanups.push(() => messenger.close());
    const send = sendMessagesTask({ outbox, messengers: messenger, clock, logger: capture() }).run;

    heartbeatTask({ outbox, deviceId: "dev", clock, logger: capture() }).run();
    expect((await send()).delivered).toBe(0);
    clock.advance(2 * 3600_000);

    await broker.restart();
    const subscriber = await subscribeMqtt({ port: broker.port, topic: "acoupi/dev" });
    cleanups.push(() => subscriber.stop());
    // The messenger may still be reconnecting: a failed run only backs the heartbeat off.
    let delivered = 0;
    for (let run = 0; run < 50 && delivered === 0; run++) {
      delivered = (await send()).delivered;
      clock.advance(10_000);
      if (delivered === 0) await Bun.sleep(100);
    }
    expect(delivered).toBe(1);
    const deadline = Date.now() + 5000;
    while (subscriber.received().length === 0 && Date.now() < deadline) await Bun.sleep(20);
    expect(JSON.parse(subscriber.received()[0] ?? "{}")).toEqual({ sent_on: "2025-03-01T10:00:00Z", device_id: "dev", status: "OK" });
  }, 30_000);
});

describe("heartbeatStatus", () => {
  async function program(clock: ManualClock) {
    let fail: string | null = null;
    let degraded: string | null = null;
    const definition = defineProgram({
      name: "status-test",
      configSchema: z.object({}),
      setup(_config, ctx) {
        ctx.addTask(
          function recording_task() {
            if (fail !== null) throw new Error(fail);
          },
          { schedule: { every: 10 }, queue: "recording" },
        );
        ctx.addTask(function file_management_task() {}, { schedule: { every: 120 } });
        ctx.onStatus("recorder", () => ({ degraded }));
      },
    });
    const deps = { paths: acoupiPaths(dir), deviceId: "dev", clock, logger: capture(), version: "test" };
    const instance = await instantiateProgram(definition, {}, deps);
    const scheduler = new Scheduler({ queues: { ...instance.context.queues }, clock, timers: new ManualTimers(clock), logger: capture() });
    for (const task of instance.context.tasks) scheduler.add(task);
    instance.context.setTaskStatsSource(() => scheduler.stats());
    return {
      ctx: instance.context,
      scheduler,
      setFail: (message: string | null) => void (fail = message),
      setDegraded: (reason: string | null) => void (degraded = reason),
    };
  }

  test("the status is OK while the recording task succeeds and says what fails otherwise", async () => {
    const clock = new ManualClock(new Date("2025-03-01T10:00:00Z"));
    const p = await program(clock);
    const status = heartbeatStatus(p.ctx, { clock });
    await p.scheduler.run("recording_task");
    expect(status()).toBe("OK");

    p.setFail("Cannot open capture device \"hw:1,0\": Device or resource busy\nmore detail");
    clock.advance(10_000);
    await expect(p.scheduler.run("recording_task")).rejects.toThrow();
    expect(status()).toBe('recording_task failing: Cannot open capture device "hw:1,0": Device or resource busy');

    p.setFail(null);
    clock.advance(10_000);
    await p.scheduler.run("recording_task");
    expect(status()).toBe("OK");
  });

  test("the status says when the recording task has not succeeded for three intervals", async () => {
    const clock = new ManualClock(new Date("2025-03-01T10:00:00Z"));
    const p = await program(clock);
    const status = heartbeatStatus(p.ctx, { clock });
    clock.advance(25_000);
    expect(status()).toBe("OK");
    clock.advance(10_000);
    expect(status()).toBe("recording_task has not succeeded for 35 s (every 10 s)");
    await p.scheduler.run("recording_task");
    expect(status()).toBe("OK");
  });

  test("degraded components are part of the status", async () => {
    const clock = new ManualClock(new Date("2025-03-01T10:00:00Z"));
    const p = await program(clock);
    const status = heartbeatStatus(p.ctx, { clock });
    p.setDegraded("xruns lost 480 frames");
    expect(status()).toBe("recorder: xruns lost 480 frames");
  });
});
