import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createConsola, type ConsolaInstance, type ConsolaReporter } from "consola";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { MqttMessenger } from "../../src/components/messengers/mqtt-messenger.ts";
import { createDeployment, createMessage, type Metric } from "../../src/data/index.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { HealthCheckError } from "../../src/errors.ts";
import { log } from "../../src/log.ts";
import { defineProgram, instantiateProgram, type ProgramInstance } from "../../src/programs/define-program.ts";
import type { ProgramContext } from "../../src/programs/program-context.ts";
import { MessagingConfigSchema, messagingTemplate, type MessagingTemplate, type MessagingTemplateOptions } from "../../src/programs/templates/messaging.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { ManualTimers } from "../../src/scheduler/manual-timers.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { startMosquitto, subscribeMqtt, type MosquittoBroker } from "../helpers/mosquitto.ts";

const FAR_FUTURE = new Date("2100-01-01T00:00:00Z");
const DEVICE = "template-device";
let dir: string;
const cleanups: Array<() => unknown> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-messaging-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function capture(lines: string[]): ConsolaInstance {
  return createConsola({ level: 5, reporters: [{ log: (entry) => void lines.push(entry.args.map(String).join(" ")) }] });
}

const ProgramSchema = z.object({ messaging: MessagingConfigSchema });

interface Running {
  instance: ProgramInstance;
  ctx: ProgramContext;
  messaging: MessagingTemplate;
  scheduler: Scheduler;
  clock: ManualClock;
  lines: string[];
}

async function run(messaging: Record<string, unknown>, options: MessagingTemplateOptions = {}): Promise<Running> {
  let made: MessagingTemplate | null = null;
  const definition = defineProgram({
    name: "messaging-test",
    configSchema: ProgramSchema,
    setup(config, ctx) {
      made = messagingTemplate(ctx, config.messaging, {}, { defaultMetrics: false, ...options });
    },
  });
  const lines: string[] = [];
  const clock = new ManualClock(new Date("2025-03-01T10:00:00Z"));
  const config = ProgramSchema.parse({ messaging: { messages_db: join(dir, `${crypto.randomUUID()}.db`), ...messaging } });
  const instance = await instantiateProgram(definition, config, {
    paths: acoupiPaths(dir),
    deviceId: DEVICE,
    clock,
    logger: capture(lines),
    version: "test",
  });
  cleanups.push(() => instance.close());
  const scheduler = new Scheduler({ queues: { ...instance.context.queues }, clock, timers: new ManualTimers(clock), logger: capture(lines) });
  for (const task of instance.context.tasks) scheduler.add(task);
  instance.context.setTaskStatsSource(() => scheduler.stats());
  if (made === null) throw new Error("the template did not run");
  return { instance, ctx: instance.context, messaging: made, scheduler, clock, lines };
}

describe("MessagingConfigSchema", () => {
  test("an acoupi 0.6 messaging config parses unchanged", () => {
    const acoupi = {
      messages_db: "/home/pi/storages/messages.db",
      message_send_interval: 120,
      max_messages: null,
      message_order: "newest_first",
      heartbeat_interval: 3600,
      http: null,
      mqtt: { host: "broker", username: "pi", password: "pw", topic: "acoupi", port: 1884, timeout: 5, use_tls: false, transport: "tcp" },
    };
    expect(MessagingConfigSchema.parse(acoupi)).toMatchObject(acoupi);
  });

  test("the defaults are acoupi's, with the outbox under ACOUPI_HOME", () => {
    const before = process.env.ACOUPI_HOME;
    process.env.ACOUPI_HOME = "/srv/acoupi";
    try {
      const config = MessagingConfigSchema.parse({});
      expect(config).toMatchObject({
        messages_db: "/srv/acoupi/storages/messages.db",
        message_send_interval: 120,
        max_messages: null,
        message_order: "oldest_first",
        heartbeat_interval: 3600,
        http: null,
        mqtt: null,
        outbox: { max_rows: 100_000, retention_days: 7, backoff_base_s: 5 },
      });
    } finally {
      if (before === undefined) delete process.env.ACOUPI_HOME;
      else process.env.ACOUPI_HOME = before;
    }
    expect(MessagingConfigSchema.safeParse({ max_messages: 0 }).success).toBe(false);
    expect(() => validateConfig(MessagingConfigSchema, { outbox: { max_row: 5 } })).toThrow(/outbox\.max_row/);
    expect(() => validateConfig(MessagingConfigSchema, { mqtt: { host: "h", pasword: "x" } })).toThrow(/mqtt\.pasword/);
  });
});

describe("messagingTemplate", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("it registers the send and heartbeat tasks on the default queue at the configured intervals", async () => {
    const r = await run({ message_send_interval: 30, heartbeat_interval: 600, mqtt: { host: "127.0.0.1", port: broker.port } });
    const tasks = r.ctx.tasks.map(({ name, queue, schedule }) => ({ name, queue, schedule }));
    expect(tasks).toEqual([
      { name: "send_messages_task", queue: "default", schedule: { every: 30 } },
      { name: "heartbeat_task", queue: "default", schedule: { every: 600 } },
    ]);
    expect(r.messaging.messenger).toBeInstanceOf(MqttMessenger);
  });

  test("a heartbeat and a stored message reach the broker through the scheduled tasks", async () => {
    const subscriber = await subscribeMqtt({ port: broker.port, topic: `acoupi/${DEVICE}` });
    cleanups.push(() => subscriber.stop());
    const extra = (): Metric => ({ name: "detections_today", value: 4, unit: "count", captured_on: new Date("2025-03-01T10:00:00Z") });
    const r = await run({ mqtt: { host: "127.0.0.1", port: broker.port } }, { metrics: [extra] });
    await r.scheduler.run("heartbeat_task");
    r.messaging.outbox.storeMessage(createMessage("detection", '{"species":"Turdus merula"}', r.clock.now()));
    await r.scheduler.run("send_messages_task");
    const deadline = Date.now() + 5000;
    while (subscriber.received().length < 2 && Date.now() < deadline) await Bun.sleep(20);
    const [heartbeat, detection] = subscriber.received();
    expect(JSON.parse(heartbeat ?? "{}")).toEqual({
      sent_on: "2025-03-01T10:00:00Z",
      device_id: DEVICE,
      status: "OK",
      metrics: [{ name: "detections_today", value: 4, captured_on: "2025-03-01T10:00:00Z", unit: "count" }],
    });
    expect(detection).toBe('{"species":"Turdus merula"}');
    expect(r.ctx.collectStatus().components.outbox).toMatchObject({ pending: 0, delivered: 2, failed: 0, messenger: "mqtt", last_error: null });
    await r.instance.check();
  });

  test("the default heartbeat carries system, outbox and task failure metrics", async () => {
    const r = await run({}, { defaultMetrics: true });
    const heartbeat = (await r.scheduler.run("heartbeat_task")) as { metrics: Metric[] };
    const names = heartbeat.metrics.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(["free_memory", "remaining_storage", "outbox_pending", "task_failures"]));
  });

  test("without a messenger it warns once and heartbeats wait in the outbox", async () => {
    const r = await run({}, { heartbeatSerializer: (h) => `alive ${h.device_id}` });
    expect(r.messaging.messenger).toBeNull();
    expect(r.lines.filter((l) => l.includes("No messenger is configured"))).toHaveLength(1);
    await r.scheduler.run("heartbeat_task");
    expect(await r.scheduler.run("send_messages_task")).toMatchObject({ selected: 0 });
    expect(r.messaging.outbox.getUnsentMessages({ now: FAR_FUTURE }).map((m) => m.content)).toEqual([`alive ${DEVICE}`]);
    expect(r.ctx.collectStatus().components.outbox).toMatchObject({ pending: 1, messenger: "none" });
  });

  test("ending the deployment sends what is left in the outbox", async () => {
    const subscriber = await subscribeMqtt({ port: broker.port, topic: `acoupi/${DEVICE}` });
    cleanups.push(() => subscriber.stop());
    const r = await run({ mqtt: { host: "127.0.0.1", port: broker.port } });
    r.messaging.outbox.storeMessage(createMessage("summary", '{"last":true}', r.clock.now()));
    await r.instance.end(createDeployment({ name: "site" }));
    expect(r.messaging.outbox.stats()).toMatchObject({ pending: 0, delivered: 1 });
  });

  test("a wrong MQTT password degrades the status, fails the check, and never reaches a log", async () => {
    const secured = await startMosquitto({ users: { sensor: "s3cret-right" } });
    cleanups.push(() => secured.cleanup());
    const global: string[] = [];
    const reporter: ConsolaReporter = { log: (entry) => void global.push(entry.args.map(String).join(" ")) };
    log.addReporter(reporter);
    cleanups.push(() => log.removeReporter(reporter));

    const password = "Wr0ng-pa55word-xyz";
    const r = await run({ mqtt: { host: "127.0.0.1", port: secured.port, username: "sensor", password } });
    r.messaging.outbox.storeMessage(createMessage("detection", "{}", r.clock.now()));
    await r.scheduler.run("heartbeat_task");
    const result = await r.scheduler.run("send_messages_task");
    expect(result).toMatchObject({ delivered: 0 });
    expect(r.messaging.outbox.stats()).toMatchObject({ pending: 2, failed: 0 });

    const status = r.ctx.collectStatus();
    expect(status.degraded).toEqual([`outbox: MQTT broker 127.0.0.1:${secured.port} refused the credentials for user "sensor"`]);
    const error = await r.instance.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthCheckError);
    expect((error as HealthCheckError).message).toMatch(/refused the credentials/);
    expect(JSON.stringify(error)).not.toContain(password);

    // The next heartbeat reports the refusal, and nothing logged so far holds the password.
    r.clock.advance(1000);
    const heartbeat = (await r.scheduler.run("heartbeat_task")) as { status: string };
    expect(heartbeat.status).toMatch(/outbox: MQTT broker .* refused the credentials/);
    const everything = [...r.lines, ...global].join("\n");
    expect(everything).toMatch(/refused the credentials/);
    expect(everything).not.toContain(password);
  }, 30_000);
});
