import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { MqttConfigSchema, MqttMessenger } from "../../../src/components/messengers/mqtt-messenger.ts";
import { createMessage } from "../../../src/data/index.ts";
import { HealthCheckError, MessageSendError } from "../../../src/errors.ts";
import { waitForReceived } from "../../contracts/messenger.contract.ts";
import { makeTestCerts, type TestCerts } from "../../helpers/certs.ts";
import { startMosquitto, subscribeMqtt, type MosquittoBroker } from "../../helpers/mosquitto.ts";

const DEVICE = "tls-device";
const TOPIC = `acoupi/${DEVICE}`;

function tlsMessenger(port: number, extra: Record<string, unknown>): MqttMessenger {
  const config = MqttConfigSchema.parse({ host: "127.0.0.1", port, use_tls: true, client_id: `c-${crypto.randomUUID()}`, ...extra });
  return new MqttMessenger(config, { deviceId: DEVICE });
}

async function checkError(messenger: MqttMessenger): Promise<HealthCheckError> {
  const error = await messenger.check().catch((e: unknown) => e);
  await messenger.close();
  expect(error).toBeInstanceOf(HealthCheckError);
  return error as HealthCheckError;
}

let certs: TestCerts;
let otherCerts: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
  otherCerts = makeTestCerts();
});
afterAll(() => {
  rmSync(certs.dir, { recursive: true, force: true });
  rmSync(otherCerts.dir, { recursive: true, force: true });
});

describe("MqttMessenger over TLS", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("a message is delivered when ca_file holds the CA that signed the broker's certificate", async () => {
    const subscriber = await subscribeMqtt({ port: broker.port, topic: TOPIC, caFile: certs.caFile });
    const messenger = tlsMessenger(broker.port, { ca_file: certs.caFile });
    await messenger.check();
    const message = createMessage("detection", '{"tls":true}');
    await messenger.send(message);
    expect(await waitForReceived(subscriber, 1)).toEqual([message.content]);
    await messenger.close();
    await subscriber.stop();
  });

  test("the host name localhost matches the certificate's SAN too", async () => {
    const config = MqttConfigSchema.parse({ host: "localhost", port: broker.port, use_tls: true, ca_file: certs.caFile, client_id: "c-localhost" });
    const messenger = new MqttMessenger(config, { deviceId: DEVICE });
    await messenger.check();
    await messenger.close();
  });

  test("check reports a TLS failure naming ca_file when the CA is the wrong one", async () => {
    const error = await checkError(tlsMessenger(broker.port, { ca_file: otherCerts.caFile }));
    expect(error.message).toStartWith(`TLS handshake with MQTT broker 127.0.0.1:${broker.port} failed`);
    expect(error.help).toContain("messaging.mqtt.ca_file");
  });

  test("check reports a TLS failure when no CA is given for a private CA", async () => {
    const error = await checkError(tlsMessenger(broker.port, {}));
    expect(error.help).toContain("messaging.mqtt.ca_file");
  });

  test("a send with the wrong CA throws MessageSendError and the last error is a TLS one", async () => {
    const messenger = tlsMessenger(broker.port, { ca_file: otherCerts.caFile });
    const error = await messenger.send(createMessage("detection", "{}")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageSendError);
    expect(messenger.lastError()?.kind).toBe("tls");
    await messenger.close();
  });

  test("with tls_verify false a broker signed by an unknown CA is accepted", async () => {
    const messenger = tlsMessenger(broker.port, { ca_file: otherCerts.caFile, tls_verify: false });
    await messenger.send(createMessage("detection", "{}"));
    await messenger.close();
  });

  test("a missing ca_file is named in the error", async () => {
    const missing = join(certs.dir, "no-such-ca.pem");
    const error = await checkError(tlsMessenger(broker.port, { ca_file: missing }));
    expect(error.message).toBe(`Cannot read messaging.mqtt.ca_file "${missing}": ENOENT`);
    expect(error.help).toContain("messaging.mqtt.ca_file");
  });

  test("a plain connection to a TLS port suggests turning use_tls on", async () => {
    const config = MqttConfigSchema.parse({ host: "127.0.0.1", port: broker.port, client_id: "c-plain", timeout: 2 });
    const error = await checkError(new MqttMessenger(config, { deviceId: DEVICE }));
    expect(error.help).toContain("messaging.mqtt.use_tls");
  });
});

describe("MqttMessenger with a broker that requires client certificates", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto({
      tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile, requireClientCert: true },
    });
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test("a client certificate from cert_file and key_file is accepted", async () => {
    const messenger = tlsMessenger(broker.port, { ca_file: certs.caFile, cert_file: certs.clientCertFile, key_file: certs.clientKeyFile });
    await messenger.send(createMessage("detection", "{}"));
    await messenger.close();
  });

  test("without a client certificate check points at cert_file and key_file", async () => {
    const error = await checkError(tlsMessenger(broker.port, { ca_file: certs.caFile }));
    expect(error.message).toContain("TLS");
    expect(error.help).toContain("messaging.mqtt.cert_file");
  });
});
