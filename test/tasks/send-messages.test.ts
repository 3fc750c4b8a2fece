import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../../src/components/message-stores/sqlite-message-store.ts";
import { HttpConfigSchema, HttpMessenger } from "../../src/components/messengers/http-messenger.ts";
import { MqttConfigSchema, MqttMessenger } from "../../src/components/messengers/mqtt-messenger.ts";
import { createMessage, type Message } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { sendMessagesTask } from "../../src/tasks/send-messages.ts";
import { startMosquitto, subscribeMqtt, type MosquittoBroker, type MqttSubscriber } from "../helpers/mosquitto.ts";
import { createConsola, type ConsolaInstance } from "consola";

/** Reconnect base of the messengers here (1 s on a sensor): the reconnects these tests wait for come sooner. */
const RECONNECT_MS = 100;

const DEVICE = "send-test";
const TOPIC = `acoupi/${DEVICE}`;
const FAR_FUTURE = new Date("2100-01-01T00:00:00Z");
/** Enough that the broker is killed while the run is still sending. */
const BEFORE = 5000;

let dir: string;
const cleanups: Array<() => unknown> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-send-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function quietLogger(lines: string[] = []): ConsolaInstance {
  return createConsola({ level: 5, reporters: [{ log: (entry) => void lines.push(entry.args.map(String).join(" ")) }] });
}

function openOutbox(extra: Record<string, unknown> = {}): SqliteMessageStore {
  const outbox = new SqliteMessageStore(
    { messages_db: join(dir, `${crypto.randomUUID()}.db`), backoff_base_s: 1, backoff_cap_s: 8, ...extra },
    { random: () => 0, logger: quietLogger(), synchronous: "NORMAL" },
  );
  cleanups.push(() => outbox.close());
  return outbox;
}

function mqttMessenger(port: number, extra: Record<string, unknown> = {}): MqttMessenger {
  const config = MqttConfigSchema.parse({ host: "127.0.0.1", port, client_id: `c-${crypto.randomUUID()}`, timeout: 2, ...extra });
  const messenger = new MqttMessenger(config, { deviceId: DEVICE, reconnectBaseMs: RECONNECT_MS });
  cleanups.push(() => messenger.close());
  return messenger;
}

function fill(outbox: SqliteMessageStore, clock: ManualClock, n: number, tag: string): Message[] {
  const messages: Message[] = [];
  for (let i = 0; i < n; i++) {
    const message = createMessage("detection", JSON.stringify({ tag, n: i }), clock.now());
    outbox.storeMessage(message);
    messages.push(message);
    clock.advance(1);
  }
  return messages;
}

async function until(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await Bun.sleep(20);
  return condition();
}

describe("send_messages_task over MQTT", () => {
  let broker: MosquittoBroker;
  let subscriber: MqttSubscriber;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("messages created in the outbox are delivered to the broker in order at QoS 1", async () => {
    subscriber = await subscribeMqtt({ port: broker.port, topic: TOPIC });
    cleanups.push(() => subscriber.stop());
    const clock = new ManualClock();
    const outbox = openOutbox();
    const messages = fill(outbox, clock, 300, "order");
    const task = sendMessagesTask({ outbox, messengers: mqttMessenger(broker.port), clock, logger: quietLogger() }).run;
    expect(task.name).toBe("send_messages_task");

    const result = await task();
    expect(result).toMatchObject({ selected: 300, delivered: 300, failed: 0, deferred: 0, lastError: null });
    expect(outbox.stats()).toMatchObject({ pending: 0, delivered: 300, failed: 0 });
    expect(await until(() => subscriber.received().length >= 300)).toBe(true);
    expect(subscriber.received()).toEqual(messages.map((m) => m.content));
    expect((await task()).selected).toBe(0);
  });

  test("max_messages and newest_first send only the newest messages in a run", async () => {
    const clock = new ManualClock();
    const outbox = openOutbox();
    const messages = fill(outbox, clock, 10, "newest");
    const task = sendMessagesTask({ outbox, messengers: [mqttMessenger(broker.port)], maxMessages: 3, order: "newest_first", clock, logger: quietLogger() }).run;
    expect((await task()).delivered).toBe(3);
    const left = outbox.getUnsentMessages({ now: FAR_FUTURE }).map((m) => m.id);
    expect(left).toEqual(messages.slice(0, 7).map((m) => m.id));
  });

  test("a non-positive max_messages is refused with the config key", () => {
    expect(() => sendMessagesTask({ outbox: openOutbox(), messengers: [], maxMessages: 0 }).run).toThrow(/max_messages/);
  });

  test("without a messenger the task only prunes and keeps every message", async () => {
    const clock = new ManualClock();
    const outbox = openOutbox({ max_rows: 5 });
    fill(outbox, clock, 8, "none");
    const result = await sendMessagesTask({ outbox, messengers: [], clock, logger: quietLogger() }).run();
    expect(result.selected).toBe(0);
    expect(outbox.stats()).toMatchObject({ pending: 5, dropped: { detection: 3 } });
  });
});

describe("send_messages_task through a broker outage", () => {
  test("a broker stopped mid-run and restarted gets every message queued meanwhile, after the backoff", async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    const clock = new ManualClock();
    const outbox = openOutbox();
    const messenger = mqttMessenger(broker.port);
    const first = await subscribeMqtt({ port: broker.port, topic: TOPIC });
    cleanups.push(() => first.stop());
    const task = sendMessagesTask({ outbox, messengers: messenger, concurrency: 16, clock, logger: quietLogger() }).run;

    fill(outbox, clock, BEFORE, "before");
    const running = task();
    await until(() => first.received().length >= 50);
    await broker.kill();
    const cut = await running;
    expect(cut.selected % 1000).toBe(0);
    expect(cut.delivered).toBeLessThan(BEFORE);
    expect(cut.delivered + cut.failed + cut.deferred).toBe(cut.selected);
    expect(cut.failed).toBeGreaterThan(0);
    expect(cut.failed).toBeLessThanOrEqual(16);

    // While the broker is down: more messages, and a run that fails without throwing.
    const meanwhile = fill(outbox, clock, 40, "meanwhile");
    const down = await task();
    expect(down.delivered).toBe(0);
    expect(down.failed).toBeGreaterThan(0);
    const stillPending = outbox.getUnsentMessages({ now: FAR_FUTURE });
    expect(stillPending.length).toBe(BEFORE + 40 - cut.delivered);
    expect(stillPending.map((m) => m.id)).toEqual(expect.arrayContaining(meanwhile.map((m) => m.id)));

    await broker.restart();
    const second = await subscribeMqtt({ port: broker.port, topic: TOPIC });
    cleanups.push(() => second.stop());
    expect(await until(() => messenger.connected)).toBe(true);

    // Backoff respected: messages that failed are not due yet at the same instant.
    const attempted = stillPending.length - outbox.getUnsentMessages({ now: clock.now() }).length;
    expect(attempted).toBe(cut.failed + down.failed);
    const early = await task();
    expect(early.failed).toBe(0);
    expect(early.delivered).toBe(stillPending.length - attempted);
    expect(outbox.stats().pending).toBe(attempted);

    clock.advance(8_000);
    const late = await task();
    expect(late.delivered).toBe(attempted);
    expect(outbox.stats()).toMatchObject({ pending: 0, failed: 0, delivered: BEFORE + 40 });
    expect(await until(() => second.received().length >= stillPending.length)).toBe(true);
    expect(new Set(second.received())).toEqual(new Set(stillPending.map((m) => m.content)));
  }, 60_000);

  test("a wrong MQTT password keeps messages pending and lastError says the credentials were refused", async () => {
    const broker = await startMosquitto({ users: { sensor: "right-password" } });
    cleanups.push(() => broker.cleanup());
    const clock = new ManualClock();
    const outbox = openOutbox();
    fill(outbox, clock, 20, "auth");
    const messenger = mqttMessenger(broker.port, { username: "sensor", password: "wrong-password" });
    const lines: string[] = [];
    const result = await sendMessagesTask({ outbox, messengers: messenger, clock, logger: quietLogger(lines) }).run();
    expect(result.delivered).toBe(0);
    expect(result.lastError?.message).toMatch(/refused the credentials for user "sensor"/);
    expect(messenger.lastError()?.kind).toBe("auth");
    expect(outbox.stats()).toMatchObject({ pending: 20, failed: 0, delivered: 0 });
    expect(lines.join("\n")).toMatch(/refused the credentials/);
    expect(lines.join("\n")).not.toContain("wrong-password");
  }, 30_000);
});

describe("send_messages_task over HTTP", () => {
  function endpoint(answer: (n: number) => number): { url: string; bodies: string[]; stop: () => void } {
    const bodies: string[] = [];
    let n = 0;
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const body = await request.text();
        const status = answer(n++);
        if (status < 300) bodies.push(body);
        return new Response(status < 300 ? "ok" : "nope", { status });
      },
    });
    return { url: `http://127.0.0.1:${server.port}/messages`, bodies, stop: () => server.stop(true) };
  }

  test("an endpoint answering 503 for a while and then 200 receives every message", async () => {
    const server = endpoint((n) => (n < 25 ? 503 : 200));
    cleanups.push(server.stop);
    const clock = new ManualClock();
    const outbox = openOutbox();
    const messages = fill(outbox, clock, 60, "http");
    const messenger = new HttpMessenger(HttpConfigSchema.parse({ base_url: server.url }));
    const task = sendMessagesTask({ outbox, messengers: messenger, concurrency: 8, clock, logger: quietLogger() }).run;
    let runs = 0;
    while (outbox.stats().pending > 0 && runs < 30) {
      const result = await task();
      expect(result.delivered + result.failed + result.deferred).toBe(result.selected);
      clock.advance(10_000);
      runs += 1;
    }
    expect(runs).toBeGreaterThan(1);
    expect(outbox.stats()).toMatchObject({ pending: 0, failed: 0, delivered: 60 });
    expect(new Set(server.bodies)).toEqual(new Set(messages.map((m) => m.content)));
  });

  test("a 422 marks the messages failed, logs each by id, and they are not retried until `retry`", async () => {
    let requests = 0;
    const server = endpoint(() => (requests++, 422));
    cleanups.push(server.stop);
    const clock = new ManualClock();
    const outbox = openOutbox();
    const messages = fill(outbox, clock, 12, "refused");
    const lines: string[] = [];
    const task = sendMessagesTask({
      outbox,
      messengers: new HttpMessenger(HttpConfigSchema.parse({ base_url: server.url })),
      clock,
      logger: quietLogger(lines),
    }).run;
    const result = await task();
    expect(result).toMatchObject({ selected: 12, delivered: 0, failed: 12, deferred: 0 });
    expect(result.lastError?.permanent).toBe(true);
    expect(outbox.stats()).toMatchObject({ pending: 0, failed: 12 });
    for (const m of messages) expect(lines.some((l) => l.includes(`Message ${m.id} (detection) failed for good`))).toBe(true);
    clock.advance(3_600_000);
    expect((await task()).selected).toBe(0);
    expect(requests).toBe(12);
    expect(outbox.list({ status: "failed" }).map((e) => e.id)).toEqual(messages.map((m) => m.id));
    expect(outbox.retryFailed({ now: clock.now() })).toBe(12);
    expect(outbox.stats()).toMatchObject({ pending: 12, failed: 0 });
    expect((await task()).selected).toBe(12);
  });

  test("a 404 window while the server is redeployed loses nothing: every message arrives once it answers 200", async () => {
    let redeploying = true;
    const server = endpoint(() => (redeploying ? 404 : 200));
    cleanups.push(server.stop);
    const clock = new ManualClock();
    const outbox = openOutbox();
    const messages = fill(outbox, clock, 30, "redeploy");
    const messenger = new HttpMessenger(HttpConfigSchema.parse({ base_url: server.url }));
    const task = sendMessagesTask({ outbox, messengers: messenger, concurrency: 4, clock, logger: quietLogger() }).run;
    for (let run = 0; run < 4; run++) {
      const result = await task();
      expect(result.delivered).toBe(0);
      expect(result.lastError?.permanent).toBe(false);
      clock.advance(10_000);
    }
    expect(outbox.stats()).toMatchObject({ pending: 30, failed: 0, delivered: 0 });
    expect(messenger.status().figures).toMatchObject({ last_http_status: 404 });
    expect(String(messenger.status().figures?.last_error)).toContain("answered 404");
    redeploying = false;
    let runs = 0;
    while (outbox.stats().pending > 0 && runs < 10) {
      await task();
      clock.advance(10_000);
      runs += 1;
    }
    expect(outbox.stats()).toMatchObject({ pending: 0, failed: 0, delivered: 30 });
    expect(new Set(server.bodies)).toEqual(new Set(messages.map((m) => m.content)));
    expect(messenger.status().figures).toMatchObject({ last_error: null, last_http_status: null });
  });
});

describe("send_messages_task over HTTP against a hostile endpoint", () => {
  test("an endpoint answering 8 MB bodies cannot grow messages.db past its ceiling, and echoed tokens are not stored", async () => {
    const huge = `${"x".repeat(8 * 1024 * 1024 - 64)} Bearer tok-9c1d33aa70 `;
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        await request.text();
        return new Response(`${request.headers.get("authorization")} ${huge}`, { status: 200 });
      },
    });
    cleanups.push(() => server.stop(true));
    const clock = new ManualClock();
    const path = join(dir, `${crypto.randomUUID()}.db`);
    const outbox = new SqliteMessageStore({ messages_db: path, max_bytes: 512 * 1024 }, { random: () => 0, logger: quietLogger() });
    cleanups.push(() => outbox.close());
    fill(outbox, clock, 21, "huge");
    const messenger = new HttpMessenger(
      HttpConfigSchema.parse({ base_url: `http://127.0.0.1:${server.port}/in`, headers: { Authorization: "Bearer tok-9c1d33aa70" } }),
    );
    const result = await sendMessagesTask({ outbox, messengers: messenger, concurrency: 4, clock, logger: quietLogger() }).run();
    expect(result.delivered).toBe(21);
    outbox.prune(clock.now());
    outbox.close();
    cleanups.pop();
    const bytes = Bun.file(path).size + (await Bun.file(`${path}-wal`).exists() ? Bun.file(`${path}-wal`).size : 0);
    expect(bytes).toBeLessThan(512 * 1024 + 256 * 1024);
    const db = new Database(path, { readonly: true });
    const rows = db.query<{ content: string }, []>("SELECT content FROM responses").all();
    db.close();
    expect(rows.length).toBe(21);
    for (const row of rows) {
      expect(Buffer.byteLength(row.content)).toBeLessThanOrEqual(4096);
      expect(row.content).not.toContain("tok-9c1d33aa70");
    }
  });
});
