import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MqttConfigSchema, MqttMessenger } from "../../../src/components/messengers/mqtt-messenger.ts";
import { createMessage, ResponseStatus } from "../../../src/data/index.ts";
import { HealthCheckError, MessageSendError } from "../../../src/errors.ts";
import { messengerContract, waitForReceived } from "../../contracts/messenger.contract.ts";
import { freePort, startMosquitto, subscribeMqtt, type MosquittoBroker, type MqttSubscriber } from "../../helpers/mosquitto.ts";

/** Reconnect base of the messengers here (1 s on a sensor): the reconnects these tests wait for come sooner. */
const RECONNECT_MS = 100;

const DEVICE = "test-device";
const TOPIC = `acoupi/${DEVICE}`;

function mqttMessenger(port: number, extra: Record<string, unknown> = {}): MqttMessenger {
  const config = MqttConfigSchema.parse({ host: "127.0.0.1", port, client_id: `c-${crypto.randomUUID()}`, ...extra });
  return new MqttMessenger(config, { deviceId: DEVICE, reconnectBaseMs: RECONNECT_MS });
}

async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await Bun.sleep(25);
  }
  return condition();
}

let contractBroker: MosquittoBroker;
let deadPort: number;
messengerContract("MqttMessenger", {
  async startReceiver() {
    contractBroker = await startMosquitto();
    deadPort = await freePort();
    const subscriber = await subscribeMqtt({ port: contractBroker.port, topic: TOPIC });
    return {
      received: subscriber.received,
      async stop() {
        await subscriber.stop();
        await contractBroker.cleanup();
      },
    };
  },
  messenger: () => mqttMessenger(contractBroker.port),
  deadMessenger: () => mqttMessenger(deadPort),
});

describe("MqttMessenger", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("the config defaults follow the issue: port 1883, QoS 1, topic acoupi/{device_id}", () => {
    const config = MqttConfigSchema.parse({ host: "broker.local" });
    expect(config).toMatchObject({ port: 1883, qos: 1, topic: "acoupi/{device_id}", use_tls: false, tls_verify: true });
    expect(config.username).toBeNull();
    expect(config.password).toBeNull();
    expect(MqttConfigSchema.shape.password.meta()).toMatchObject({ secret: true });
  });

  test("an acoupi 0.6 MQTT config parses unchanged", () => {
    const acoupi = { host: "broker", username: "pi", password: "x", topic: "acoupi", port: 1884, timeout: 5, use_tls: false, transport: "tcp" };
    expect(MqttConfigSchema.parse(acoupi)).toMatchObject(acoupi);
    expect(MqttConfigSchema.parse({ ...acoupi, transport: "websockets" }).transport).toBe("websockets");
    expect(MqttConfigSchema.safeParse({ ...acoupi, transport: "unix" }).success).toBe(false);
  });

  test("a topic with MQTT wildcards is refused by the config schema", () => {
    expect(MqttConfigSchema.safeParse({ host: "h", topic: "acoupi/#" }).success).toBe(false);
  });

  test("the topic template is filled with the device id and the response content is acoupi's", async () => {
    const subscriber = await subscribeMqtt({ port: broker.port, topic: `sensors/${DEVICE}/out` });
    const messenger = mqttMessenger(broker.port, { topic: "sensors/{device_id}/out" });
    expect(messenger.topic).toBe(`sensors/${DEVICE}/out`);
    const response = await messenger.send(createMessage("heartbeat", '{"status":"OK"}'));
    expect(response.content).toBe("MQTT_ERR_SUCCESS");
    expect(await waitForReceived(subscriber, 1)).toEqual(['{"status":"OK"}']);
    await messenger.close();
    await subscriber.stop();
  });

  test("QoS 0 messages are delivered too", async () => {
    const subscriber = await subscribeMqtt({ port: broker.port, topic: TOPIC });
    const messenger = mqttMessenger(broker.port, { qos: 0 });
    const response = await messenger.send(createMessage("summary", "{}"));
    expect(response.status).toBe(ResponseStatus.SUCCESS);
    expect(await waitForReceived(subscriber, 1)).toEqual(["{}"]);
    await messenger.close();
    await subscriber.stop();
  });

  test("by default no availability topic is published: the data topic is the only one", async () => {
    const subscriber = await subscribeMqtt({ port: broker.port, topic: "quiet/#" });
    const messenger = mqttMessenger(broker.port, { topic: "quiet/{device_id}" });
    expect(messenger.statusTopic).toBeNull();
    await messenger.send(createMessage("heartbeat", '{"n":1}'));
    await messenger.close();
    const other = await subscribeMqtt({ port: broker.port, topic: "quiet/#" });
    await Bun.sleep(200);
    expect(subscriber.messages()).toEqual([{ topic: `quiet/${DEVICE}`, payload: '{"n":1}', retain: false }]);
    expect(other.messages()).toEqual([]);
    await subscriber.stop();
    await other.stop();
  });

  test("the client publishes a retained online status, and a retained offline status when it closes", async () => {
    const messenger = mqttMessenger(broker.port, { topic: "will-a/{device_id}", availability_topic: "will-a/{device_id}/status" });
    await messenger.send(createMessage("heartbeat", "{}"));
    const statusTopic = messenger.statusTopic ?? "";
    const late = await subscribeMqtt({ port: broker.port, topic: statusTopic });
    expect(await until(() => late.received().includes("online"))).toBe(true);
    expect(late.messages()[0]).toEqual({ topic: `will-a/${DEVICE}/status`, payload: "online", retain: true });
    await late.stop();
    await messenger.close();
    const after = await subscribeMqtt({ port: broker.port, topic: statusTopic });
    expect(await until(() => after.received().length > 0)).toBe(true);
    expect(after.messages()[0]).toEqual({ topic: `will-a/${DEVICE}/status`, payload: "offline", retain: true });
    await after.stop();
  });

  test("when the sending process dies, the broker publishes the retained offline last will", async () => {
    const statusTopic = `will-b/${DEVICE}/status`;
    const child = Bun.spawn(
      [process.execPath, join(import.meta.dir, "_mqtt-child.ts"), String(broker.port), "will-b/{device_id}", DEVICE],
      { stdout: "pipe", stderr: "inherit" },
    );
    const reader = child.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("sent");
    const online = await subscribeMqtt({ port: broker.port, topic: statusTopic });
    expect(await until(() => online.received().includes("online"))).toBe(true);
    child.kill("SIGKILL");
    await child.exited;
    expect(await until(() => online.received().includes("offline"))).toBe(true);
    await online.stop();
    const later = await subscribeMqtt({ port: broker.port, topic: statusTopic });
    expect(await until(() => later.received().length > 0)).toBe(true);
    expect(later.messages()[0]).toMatchObject({ payload: "offline", retain: true });
    await later.stop();
  });

  test("sends fail during a broker outage, are not delivered later by themselves, and succeed after the restart", async () => {
    const outage = await startMosquitto();
    const messenger = mqttMessenger(outage.port);
    try {
      await messenger.send(createMessage("detection", '{"before":true}'));
      await outage.stop();
      const during = [0, 1, 2].map((i) => createMessage("detection", JSON.stringify({ during: i })));
      for (const message of during) {
        const error = await messenger.send(message).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MessageSendError);
        expect((error as MessageSendError).permanent).toBe(false);
      }
      expect(messenger.lastError()).not.toBeNull();
      await outage.restart();
      const subscriber = await subscribeMqtt({ port: outage.port, topic: TOPIC });
      const after = createMessage("detection", '{"after":true}');
      const delivered = await until(async () => {
        const result = await messenger.send(after).catch((e: unknown) => e);
        return !(result instanceof Error);
      });
      expect(delivered).toBe(true);
      expect(messenger.lastError()).toBeNull();
      const received = await waitForReceived(subscriber, 1);
      expect(received).toContain(after.content);
      expect(received.every((content) => content === after.content)).toBe(true);
      await subscriber.stop();
    } finally {
      await messenger.close();
      await outage.cleanup();
    }
  });

  test("after the broker crashes and comes back, the same messenger delivers again", async () => {
    const crashing = await startMosquitto();
    const messenger = mqttMessenger(crashing.port);
    try {
      await messenger.send(createMessage("detection", "{}"));
      await crashing.kill();
      expect(await messenger.send(createMessage("detection", "{}")).catch((e: unknown) => e)).toBeInstanceOf(MessageSendError);
      await crashing.restart();
      const delivered = await until(async () => !((await messenger.send(createMessage("detection", "{}")).catch((e: unknown) => e)) instanceof Error));
      expect(delivered).toBe(true);
      expect(messenger.connected).toBe(true);
    } finally {
      await messenger.close();
      await crashing.cleanup();
    }
  });
});

describe("MqttMessenger with a password-protected broker", () => {
  const PASSWORD = "correct-horse-7781";
  const WRONG = "wrong-battery-0042";
  let broker: MosquittoBroker;
  let subscriber: MqttSubscriber;
  beforeAll(async () => {
    broker = await startMosquitto({ users: { alice: PASSWORD } });
    subscriber = await subscribeMqtt({ port: broker.port, topic: TOPIC, username: "alice", password: PASSWORD });
  });
  afterAll(async () => {
    await subscriber.stop();
    await broker.cleanup();
  });

  test("the right user name and password deliver the message", async () => {
    const messenger = mqttMessenger(broker.port, { username: "alice", password: PASSWORD });
    await messenger.check();
    const message = createMessage("detection", '{"auth":"ok"}');
    await messenger.send(message);
    expect(await waitForReceived(subscriber, 1)).toContain(message.content);
    await messenger.close();
  });

  test("check says the broker refused the credentials, naming the user but not the password", async () => {
    const messenger = mqttMessenger(broker.port, { username: "alice", password: WRONG });
    const error = await messenger.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthCheckError);
    expect((error as HealthCheckError).message).toBe(`MQTT broker 127.0.0.1:${broker.port} refused the credentials for user "alice"`);
    expect((error as HealthCheckError).help).toBe("Check messaging.mqtt.username and messaging.mqtt.password");
    expect(JSON.stringify(messenger.lastError())).not.toContain(WRONG);
    await messenger.close();
  });

  test("a send with a wrong password throws MessageSendError and nothing is delivered", async () => {
    const messenger = mqttMessenger(broker.port, { username: "alice", password: WRONG });
    const before = subscriber.received().length;
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await messenger.send(createMessage("detection", '{"auth":"wrong"}')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessageSendError);
      const text = `${(error as MessageSendError).message} ${(error as MessageSendError).help}`;
      expect(text).toContain("refused the credentials");
      expect(text).not.toContain(WRONG);
    }
    expect(messenger.lastError()?.kind).toBe("auth");
    await Bun.sleep(100);
    expect(subscriber.received().length).toBe(before);
    await messenger.close();
  });

  test("an anonymous client is told to set a user name and password", async () => {
    const messenger = mqttMessenger(broker.port);
    const error = await messenger.check().catch((e: unknown) => e);
    expect((error as HealthCheckError).message).toContain("refused the connection without credentials");
    expect((error as HealthCheckError).help).toBe("Set messaging.mqtt.username and messaging.mqtt.password");
    await messenger.close();
  });
});
