/**
 * @module MqttMessenger: delivers outbox messages to an MQTT broker with mqtt.js. It keeps one
 * connection open between sends (opened on the first send or check, never at import), lets
 * mqtt.js reconnect after an outage, and counts a message delivered only on PUBACK at QoS 1.
 * A send while the broker is away fails at once with MessageSendError instead of queueing in
 * memory: the outbox keeps the message and retries it with backoff. With an availability topic
 * (`availability_topic`, or Home Assistant's when its discovery is on) the client announces
 * itself there with a retained "online", and a retained "offline" last will; by default there is
 * none, so an acoupi dashboard subscribed to `#` sees one topic per device (see _mqtt-topics.ts).
 * The connection itself (opening, reconnecting, remembering failures) is _mqtt-connection.ts.
 */
import type { MqttClient } from "mqtt";
import { z } from "zod";
import { askWhen, noPrompt, secret } from "../../config/markers.ts";
import { ResponseStatus, type CheckReport, type ComponentStatus, type Message, type Response } from "../../data/index.ts";
import { HealthCheckError, MessageSendError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { getDeviceId } from "../../system/device-id.ts";
import type { Messenger } from "./types.ts";
import { MqttConnection, type MqttLastError } from "./_mqtt-connection.ts";
import { describeMqttError } from "./_mqtt-errors.ts";
import { isSecure, mqttProtocol, mqttWhere } from "./_mqtt-options.ts";
import { withTimeout } from "./_mqtt-connect.ts";
import { availabilityTopic, checkPublishTopic, fillTopic } from "./_mqtt-topics.ts";
import { HomeAssistantConfigSchema } from "./home-assistant-config.ts";

export type { MqttFailure, MqttFailureKind } from "./_mqtt-errors.ts";
export type { MqttLastError } from "./_mqtt-connection.ts";

/** tcp and tls are MQTT on a socket; ws and wss are MQTT over websockets; `websockets` is acoupi 0.6's name for ws. */
export const MQTT_TRANSPORTS = ["tcp", "tls", "ws", "wss", "websockets"] as const;

export const MqttConfigSchema = z.object({
  host: z.string().min(1).describe("Host name or IP address of the MQTT broker"),
  port: z.number().int().min(1).max(65535).default(1883).describe("Port of the MQTT broker (8883 is usual with TLS)"),
  username: z.string().nullable().default(null).describe("User name for the broker, if it requires one"),
  password: askWhen("username", secret(z.string().nullable().default(null).describe("Password for the broker user"))),
  topic: z
    .string()
    .min(1)
    .refine((t) => !/[+#]/.test(t), { message: "the topic must not contain the wildcards + or #" })
    .default("acoupi/{device_id}")
    .describe("Topic to publish messages on; {device_id} is replaced by the device id"),
  client_id: z.string().min(1).nullable().default(null).describe("MQTT client id; defaults to the device id"),
  qos: z.number().int().min(0).max(2).default(1).describe("MQTT quality of service: 1 waits for the broker's PUBACK"),
  use_tls: z.boolean().default(false).describe("Connect with TLS (tcp becomes tls, ws becomes wss)"),
  ca_file: askWhen("use_tls", z.string().nullable().default(null).describe("CA certificate file (PEM) to verify the broker; system CAs when unset")),
  cert_file: askWhen("use_tls", z.string().nullable().default(null).describe("Client certificate file (PEM), for brokers that require one")),
  key_file: askWhen("cert_file", z.string().nullable().default(null).describe("Private key file (PEM) of the client certificate")),
  tls_verify: askWhen("use_tls", z.boolean().default(true).describe("Verify the broker's certificate and host name")),
  keepalive: noPrompt(z.number().int().min(0).max(65_535).default(60).describe("Seconds between keepalive pings")),
  timeout: z.number().positive().max(600).default(5).describe("Seconds to wait for the connection and for each PUBACK"),
  // Not asked at setup: tcp suits most sensors; set ws/wss with --messaging.mqtt.transport.
  transport: noPrompt(
    z
      .enum(MQTT_TRANSPORTS)
      .default("tcp")
      .describe("How to reach the broker: tcp, tls (mqtts), ws or wss (MQTT over websockets); acoupi's websockets means ws"),
  ),
  availability_topic: noPrompt(z
    .string()
    .min(1)
    .refine((t) => !/[+#]/.test(t), { message: "the topic must not contain the wildcards + or #" })
    .nullable()
    .default(null)
    .describe(
      "Topic for a retained online/offline availability, e.g. acoupi-status/{device_id}; empty: none, or Home Assistant's when its discovery is on",
    )),
  // Opt-in, not asked at setup: --messaging.mqtt.homeassistant.enabled true.
  homeassistant: noPrompt(HomeAssistantConfigSchema.prefault({}).describe("Home Assistant MQTT discovery (off unless enabled)")),
  path: noPrompt(z
    .string()
    .regex(/^\/[^\s?#]*$/, { message: "expected a URL path starting with /" })
    .default("/mqtt")
    .describe("URL path of the broker's websocket endpoint (ws and wss only), e.g. /mqtt behind a reverse proxy")),
});
export type MqttConfig = z.output<typeof MqttConfigSchema>;

export interface MqttMessengerDeps {
  /** The device id for the `{device_id}` topic field and the default client id. */
  deviceId?: string;
  /** Monotonic milliseconds, for telling session takeovers apart; performance.now by default. */
  monotonic?: () => number;
  /** Milliseconds between reconnects before any backoff: 1 s on a sensor; tests shorten it. */
  reconnectBaseMs?: number;
}

/** acoupi reports paho's MQTTErrorCode name as the response content. */
const SUCCESS_CONTENT = "MQTT_ERR_SUCCESS";

export class MqttMessenger implements Messenger {
  readonly #config: MqttConfig;
  readonly #topic: string;
  readonly #statusTopic: string | null;
  readonly #conn: MqttConnection;
  readonly #log = logger("mqtt");

  constructor(config: MqttConfig, deps: MqttMessengerDeps = {}) {
    this.#config = config;
    const deviceId = deps.deviceId ?? getDeviceId();
    this.#topic = fillTopic(config.topic, deviceId, "messaging.mqtt.topic");
    this.#statusTopic = availabilityTopic(config, deviceId);
    this.#conn = new MqttConnection(config, {
      clientId: config.client_id ?? deviceId,
      statusTopic: this.#statusTopic,
      monotonic: deps.monotonic,
      reconnectBaseMs: deps.reconnectBaseMs,
    });
    if (this.insecure) {
      this.#log.warn(
        `messaging.mqtt.tls_verify is false: the certificate of MQTT broker ${mqttWhere(config)} is not checked, ` +
          "so anyone on the network path can pose as the broker; set it to true with a ca_file",
      );
    }
  }

  /** True when the connection is encrypted but the broker's certificate is not checked. */
  get insecure(): boolean {
    return isSecure(mqttProtocol(this.#config)) && !this.#config.tls_verify;
  }

  /** The topic messages go to, with `{device_id}` filled in. */
  get topic(): string {
    return this.#topic;
  }

  /** Where the retained "online" / "offline" availability lives; null when there is none. */
  get statusTopic(): string | null {
    return this.#statusTopic;
  }

  /** True while the connection to the broker is up. */
  get connected(): boolean {
    return this.#conn.connected;
  }

  /** The last connection or delivery failure, cleared on (re)connect; null when all is well. */
  lastError(): MqttLastError | null {
    return this.#conn.lastError();
  }

  /** Degraded while the broker refuses the credentials or the certificate: a retry cannot cure those. */
  status(): ComponentStatus {
    const error = this.#conn.lastError();
    const takeover = this.#conn.takeover;
    const duplicate = takeover.suspected ? this.#conn.duplicateMessage() : null;
    return {
      degraded: duplicate ?? (error !== null && (error.kind === "auth" || error.kind === "tls") ? error.message : null),
      figures: {
        messenger: "mqtt",
        connected: this.connected ? 1 : 0,
        last_error: duplicate ?? error?.message ?? null,
        tls: isSecure(mqttProtocol(this.#config)) ? (this.#config.tls_verify ? "verified" : "insecure") : "none",
        session_takeovers: takeover.takeovers,
        reconnect_period_s: takeover.reconnectMs / 1000,
      },
    };
  }

  async send(message: Message): Promise<Response> {
    let client: MqttClient;
    try {
      client = await this.#conn.ready();
    } catch (error) {
      throw this.#asSendError(error, message);
    }
    const timeoutMs = this.#config.timeout * 1000;
    try {
      await withTimeout(
        client.publishAsync(this.#topic, message.content, { qos: this.#config.qos as 0 | 1 | 2 }),
        timeoutMs,
        () => new MessageSendError(
          `MQTT broker ${this.#where()} did not acknowledge message ${message.id} within ${this.#config.timeout} s`,
          { help: "The broker may be overloaded or the network slow; raise messaging.mqtt.timeout if this persists" },
        ),
      );
    } catch (error) {
      if (error instanceof MessageSendError) throw this.#conn.remember(error, "timeout");
      throw this.#conn.remember(
        new MessageSendError(
          `MQTT broker ${this.#where()} lost the connection before acknowledging message ${message.id}`,
          { help: "The message stays in the outbox and is sent again once the broker is back", cause: error },
        ),
        "other",
      );
    }
    return { message_id: message.id, status: ResponseStatus.SUCCESS, content: SUCCESS_CONTENT, received_on: new Date() };
  }

  /** How many times the client connected; a change means retained state may need publishing again. */
  get connections(): number {
    return this.#conn.connections;
  }

  /**
   * Publishes a retained message at QoS 1 on the messenger's connection (Home Assistant's
   * discovery configs and state), resolving on PUBACK; throws MessageSendError when the broker
   * is away. The topic is checked before use.
   */
  async publishRetained(topic: string, payload: string, key = "messaging.mqtt.homeassistant"): Promise<void> {
    checkPublishTopic(topic, key);
    const client = await this.#conn.ready();
    await withTimeout(
      client.publishAsync(topic, payload, { qos: 1, retain: true }),
      this.#config.timeout * 1000,
      () => new MessageSendError(`MQTT broker ${this.#where()} did not acknowledge the retained message on ${topic} within ${this.#config.timeout} s`),
    );
  }

  async check(): Promise<CheckReport> {
    const ctx = this.#conn.ctx;
    const where = `${ctx.host}:${ctx.port}`;
    const report: CheckReport = { subject: "messenger", lines: [`MQTT broker ${where} reached${ctx.useTls ? " over TLS" : ""}; connection accepted`], warnings: [] };
    if (this.#conn.connected) return report;
    // A client stuck in its reconnect loop says nothing new; try a fresh connection instead.
    this.#conn.restart();
    try {
      await this.#conn.ready();
      return report;
    } catch (error) {
      if (error instanceof MessageSendError) throw new HealthCheckError(error.message, { help: error.help, cause: error });
      const failure = describeMqttError(error, ctx);
      throw new HealthCheckError(failure.message, { help: failure.help, cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.#conn.closed) return;
    const client = await this.#conn.close();
    if (client === null) return;
    const statusTopic = this.#statusTopic;
    if (client.connected) {
      // A clean disconnect does not fire the last will, so say "offline" ourselves.
      if (statusTopic !== null) await withTimeout(
        client.publishAsync(statusTopic, "offline", { qos: 1, retain: true }),
        this.#config.timeout * 1000,
        () => new Error("offline status was not acknowledged"),
      ).catch((error: unknown) => this.#log.debug(`Could not publish the offline status: ${String(error)}`));
      const graceful = await withTimeout(client.endAsync().then(() => true), this.#config.timeout * 1000,
        () => new Error("disconnect timed out")).catch(() => false);
      if (graceful) return;
    }
    await client.endAsync(true);
  }

  #where(): string {
    return mqttWhere(this.#config);
  }

  #asSendError(error: unknown, message: Message): MessageSendError {
    if (error instanceof MessageSendError) return error;
    const failure = describeMqttError(error, this.#conn.ctx);
    return new MessageSendError(`Cannot send message ${message.id}: ${failure.message}`, { help: failure.help, cause: error });
  }
}
