/**
 * @module MqttMessenger over websockets (ws and wss, with a path) against a real broker that
 * speaks them (aedes behind a websocket server, in its own process): delivery, an outage in the
 * middle of a backlog with nothing lost, TLS verified against a test CA, and a wrong password.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createConsola, type ConsolaInstance } from "consola";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../../../src/components/message-stores/sqlite-message-store.ts";
import { mqttClientOptions } from "../../../src/components/messengers/_mqtt-options.ts";
import { MqttConfigSchema, MqttMessenger } from "../../../src/components/messengers/mqtt-messenger.ts";
import { createMessage, type Message } from "../../../src/data/index.ts";
import { HealthCheckError } from "../../../src/errors.ts";
import { ManualClock } from "../../../src/scheduler/clock.ts";
import { sendMessagesTask } from "../../../src/tasks/send-messages.ts";
import { makeTestCerts, type TestCerts } from "../../helpers/certs.ts";
import { startWsBroker, type WsBroker } from "../../helpers/ws-broker.ts";

/** Reconnect base of the messengers here (1 s on a sensor): the reconnects these tests wait for come sooner. */
const RECONNECT_MS = 100;

const DEVICE = "ws-sensor";
let dir: string;
const cleanups: Array<() => unknown> = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-ws-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function quietLogger(): ConsolaInstance {
  return createConsola({ level: 0 });
}

function messenger(broker: WsBroker, extra: Record<string, unknown> = {}): MqttMessenger {
  const config = MqttConfigSchema.parse({ host: "127.0.0.1", port: broker.port, transport: "ws", path: broker.path, timeout: 2, ...extra });
  const m = new MqttMessenger(config, { deviceId: DEVICE, reconnectBaseMs: RECONNECT_MS });
  cleanups.push(() => m.close());
  return m;
}

function fill(outbox: SqliteMessageStore, clock: ManualClock, n: number, tag: string): Message[] {
  return Array.from({ length: n }, (_, i) => {
    const message = createMessage("detection", JSON.stringify({ tag, n: i }), clock.now());
    outbox.storeMessage(message);
    clock.advance(1);
    return message;
  });
}

async function until(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await Bun.sleep(20);
  return condition();
}

describe("MQTT transports", () => {
  test("the transport picks the protocol: tcp and tls are sockets, ws and wss websockets with their path", () => {
    const ids = { clientId: "c", statusTopic: null, reconnectMs: 1000 };
    const parse = (extra: Record<string, unknown>) => mqttClientOptions(MqttConfigSchema.parse({ host: "h", ...extra }), ids);
    expect(parse({})).toMatchObject({ protocol: "mqtt" });
    expect(parse({ transport: "tls" })).toMatchObject({ protocol: "mqtts" });
    expect(parse({ use_tls: true })).toMatchObject({ protocol: "mqtts" });
    expect(parse({ transport: "ws", path: "/broker/mqtt" })).toMatchObject({ protocol: "ws", path: "/broker/mqtt" });
    expect(parse({ transport: "websockets" })).toMatchObject({ protocol: "ws", path: "/mqtt" });
    expect(parse({ transport: "wss", tls_verify: false })).toMatchObject({ protocol: "wss", rejectUnauthorized: false });
    expect(parse({ transport: "tcp" }).path).toBeUndefined();
    expect(MqttConfigSchema.safeParse({ host: "h", transport: "unix" }).success).toBe(false);
    expect(MqttConfigSchema.safeParse({ host: "h", path: "mqtt" }).success).toBe(false);
  });
});

describe("MqttMessenger over ws", () => {
  test("messages are delivered at QoS 1 through the websocket path, in order", async () => {
    const broker = await startWsBroker({ path: "/ingest/mqtt" });
    cleanups.push(() => broker.cleanup());
    const m = messenger(broker);
    await m.check();
    const sent = Array.from({ length: 20 }, (_, i) => createMessage("detection", JSON.stringify({ i })));
    for (const message of sent) await m.send(message);
    const got = broker.accepted().filter((a) => a.topic === `acoupi/${DEVICE}`).map((a) => a.payload);
    expect(got).toEqual(sent.map((s) => s.content));
  });

  test("a wrong websocket path is reported with the URL the messenger tried", async () => {
    const broker = await startWsBroker({ path: "/mqtt" });
    cleanups.push(() => broker.cleanup());
    const error = await messenger(broker, { path: "/wrong" }).check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthCheckError);
    expect((error as HealthCheckError).message).toContain(`ws://127.0.0.1:${broker.port}/wrong`);
  });

  test("a broker killed in the middle of a backlog and restarted loses nothing", async () => {
    const broker = await startWsBroker();
    cleanups.push(() => broker.cleanup());
    const clock = new ManualClock();
    const outbox = new SqliteMessageStore(
      { messages_db: join(dir, `${crypto.randomUUID()}.db`), backoff_base_s: 1, backoff_cap_s: 4 },
      { random: () => 0, logger: quietLogger(), synchronous: "NORMAL" },
    );
    cleanups.push(() => outbox.close());
    const m = messenger(broker);
    const task = sendMessagesTask({ outbox, messengers: m, concurrency: 8, clock, logger: quietLogger() }).run;
    const messages = fill(outbox, clock, 3000, "outage");
    const running = task();
    await until(() => broker.accepted().length >= 100);
    await broker.kill();
    const cut = await running;
    expect(cut.delivered).toBeLessThan(3000);
    expect(cut.failed).toBeGreaterThan(0);
    const more = fill(outbox, clock, 20, "meanwhile");
    expect((await task()).delivered).toBe(0);

    await broker.restart();
    expect(await until(() => m.connected)).toBe(true);
    for (let run = 0; run < 10 && outbox.stats().pending > 0; run++) {
      await task();
      clock.advance(5_000);
    }
    expect(outbox.stats()).toMatchObject({ pending: 0, failed: 0, delivered: 3020 });
    const accepted = new Set(broker.accepted().map((a) => a.payload));
    for (const message of [...messages, ...more]) expect(accepted.has(message.content)).toBe(true);
  }, 60_000);

  test("a wrong password is reported as refused credentials, without the password", async () => {
    const broker = await startWsBroker({ users: { sensor: "right-one" } });
    cleanups.push(() => broker.cleanup());
    const m = messenger(broker, { username: "sensor", password: "wrong-one" });
    const error = await m.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthCheckError);
    expect((error as HealthCheckError).message).toContain('refused the credentials for user "sensor"');
    expect((error as HealthCheckError).message).not.toContain("wrong-one");
    expect(m.status().degraded).toContain("refused the credentials");
    await messenger(broker, { username: "sensor", password: "right-one" }).check();
  });
});

describe("MqttMessenger over wss", () => {
  let certs: TestCerts;
  let broker: WsBroker;
  beforeAll(async () => {
    certs = makeTestCerts();
    broker = await startWsBroker({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
  });
  afterAll(async () => {
    await broker.cleanup();
    rmSync(certs.dir, { recursive: true, force: true });
  });

  test("a broker whose certificate chains to ca_file gets the messages over wss", async () => {
    const m = messenger(broker, { transport: "wss", ca_file: certs.caFile });
    const message = createMessage("detection", '{"over":"wss"}');
    await m.send(message);
    expect(broker.accepted().map((a) => a.payload)).toContain(message.content);
  });

  test("with tls_verify false the unverified broker is reached, and status calls the connection insecure", async () => {
    const m = messenger(broker, { transport: "wss", tls_verify: false });
    expect(m.insecure).toBe(true);
    await m.send(createMessage("detection", '{"over":"insecure wss"}'));
    expect(m.status().figures).toMatchObject({ tls: "insecure" });
    expect(messenger(broker, { transport: "wss", ca_file: certs.caFile }).status().figures).toMatchObject({ tls: "verified" });
  });

  test("without the CA the certificate is refused as a TLS failure naming ca_file", async () => {
    const error = await messenger(broker, { transport: "wss" }).check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthCheckError);
    expect(`${(error as HealthCheckError).message} ${(error as HealthCheckError).help}`).toMatch(/ca_file|certificate/i);
  });
});
