/**
 * @module The MqttMessenger's one connection to its broker: opened on first use (never at
 * import), kept open between sends, reconnected in the background by mqtt.js's own loop, and
 * never queueing offline (a send while the broker is away fails at once, and the outbox retries).
 * It remembers the last failure for status, announces the retained "online" on each connect, fails
 * publishes still waiting for PUBACK when the connection drops, and backs its reconnects off when
 * the broker keeps ending its session (a duplicate device id, see _mqtt-takeover.ts). The reconnect
 * base is a dependency so that tests can shorten it; sensors use 1 s.
 */
import type { IClientOptions, MqttClient } from "mqtt";
import { MessageSendError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { firstConnack } from "./_mqtt-connect.ts";
import { DescribedMqttError, describeMqttError, type MqttErrorContext, type MqttFailure } from "./_mqtt-errors.ts";
import { isSecure, mqttClientOptions, mqttProtocol, mqttWhere } from "./_mqtt-options.ts";
import { BASE_RECONNECT_MS, TakeoverDetector } from "./_mqtt-takeover.ts";
import type { MqttConfig } from "./mqtt-messenger.ts";

/** The last failure, for status displays. */
export interface MqttLastError extends MqttFailure {
  at: Date;
}

export interface MqttConnectionDeps {
  clientId: string;
  statusTopic: string | null;
  /** Monotonic milliseconds, for telling session takeovers apart; performance.now by default. */
  monotonic?: () => number;
  /** Milliseconds between reconnects before any backoff; BASE_RECONNECT_MS (1 s) by default. */
  reconnectBaseMs?: number;
}

/** Failures a reconnect loop cannot cure; the client is dropped and the next send starts afresh. */
const FATAL_KINDS = new Set(["auth", "refused", "tls"]);

export class MqttConnection {
  readonly #config: MqttConfig;
  readonly #clientId: string;
  readonly #statusTopic: string | null;
  readonly #reconnectBaseMs: number;
  readonly #log = logger("mqtt");
  readonly takeover: TakeoverDetector;
  readonly ctx: MqttErrorContext;
  #client: MqttClient | null = null;
  #connecting: Promise<MqttClient> | null = null;
  #lastError: MqttLastError | null = null;
  #closed = false;
  #connections = 0;

  constructor(config: MqttConfig, deps: MqttConnectionDeps) {
    this.#config = config;
    this.#clientId = deps.clientId;
    this.#statusTopic = deps.statusTopic;
    this.#reconnectBaseMs = deps.reconnectBaseMs ?? BASE_RECONNECT_MS;
    this.takeover = new TakeoverDetector(deps.monotonic, this.#reconnectBaseMs);
    this.ctx = {
      host: config.host,
      port: config.port,
      username: config.username,
      useTls: isSecure(mqttProtocol(config)),
      timeoutSeconds: config.timeout,
      where: mqttWhere(config),
    };
  }

  get clientId(): string {
    return this.#clientId;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** True from the first wait for a connection until the current attempt settles. */
  get connecting(): boolean {
    return this.#connecting !== null;
  }

  get connections(): number {
    return this.#connections;
  }

  get closed(): boolean {
    return this.#closed;
  }

  lastError(): MqttLastError | null {
    return this.#lastError;
  }

  /** Remembers `error` as the last failure, of `kind`, and returns it. */
  remember<E extends MessageSendError>(error: E, kind: MqttFailure["kind"]): E {
    this.#lastError = { kind, message: error.message, help: error.help ?? "", at: new Date() };
    return error;
  }

  /** The connected client: the open one, the one being opened, or a new one. Never queues offline. */
  async ready(): Promise<MqttClient> {
    if (this.#closed) {
      throw new MessageSendError("MQTT messenger is closed", { help: "This is a bug: a closed messenger was used" });
    }
    const client = this.#client;
    if (client?.connected === true) return client;
    if (this.#connecting !== null) return this.#connecting;
    if (client !== null) {
      const last = this.#lastError;
      throw new MessageSendError(
        last === null
          ? `MQTT broker ${this.ctx.where} is not connected; reconnecting in the background`
          : `MQTT broker ${this.ctx.where} is not connected; reconnecting in the background after: ${last.message}`,
        { help: last?.help ?? "The message stays in the outbox and is sent again once the broker is back" },
      );
    }
    this.#connecting = this.#connect().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  /** Drops a client stuck in its reconnect loop (unless a connection is being opened), so the next `ready` starts afresh. */
  restart(): void {
    if (this.#connecting === null) this.#drop(this.#client);
  }

  /** Marks the connection closed and hands back the client to end, if any. */
  async close(): Promise<MqttClient | null> {
    this.#closed = true;
    const client = this.#client ?? (this.#connecting === null ? null : await this.#connecting.catch(() => null));
    this.#client = null;
    return client;
  }

  async #connect(): Promise<MqttClient> {
    let options: IClientOptions;
    try {
      options = mqttClientOptions(this.#config, { clientId: this.#clientId, statusTopic: this.#statusTopic, reconnectMs: this.#reconnectBaseMs });
    } catch (error) {
      if (error instanceof MessageSendError) throw this.remember(error, "tls");
      throw error;
    }
    const { connect } = await import("mqtt");
    const client = connect(options);
    this.#client = client;
    this.#watch(client);
    try {
      await firstConnack(client, this.#config.timeout * 1000 + 500, () => {
        const last = this.#lastError;
        return last === null ? new Error(`connection to ${this.ctx.where} closed`) : new DescribedMqttError(last);
      });
    } catch (error) {
      this.#drop(client);
      const failure = describeMqttError(error, this.ctx);
      this.#lastError = { ...failure, at: new Date() };
      throw new MessageSendError(failure.message, { help: failure.help, cause: error });
    }
    return client;
  }

  /** The duplicate-id verdict, worded for status and logs. */
  duplicateMessage(): string {
    return `Duplicate device id suspected: broker ${this.ctx.where} ended the session of MQTT client id "${this.#clientId}" ` +
      `${this.takeover.takeovers} times within seconds of connecting, as it does when another sensor connects with the same id; ` +
      `reconnecting only every ${this.takeover.reconnectMs / 1000} s`;
  }

  /** Listeners for the client's whole life: status publishing, error memory, no offline backlog. */
  #watch(client: MqttClient): void {
    client.on("connect", () => {
      this.#connections += 1;
      this.takeover.connected();
      if (this.#lastError !== null) this.#log.info(`Reconnected to MQTT broker ${this.ctx.where}`);
      else this.#log.debug(`Connected to MQTT broker ${this.ctx.where} as client "${this.#clientId}"`);
      this.#lastError = null;
      if (this.#statusTopic === null) return;
      client.publish(this.#statusTopic, "online", { qos: 1, retain: true }, (error) => {
        if (error) this.#log.debug(`Could not publish the online status: ${error.message}`);
      });
    });
    client.on("error", (error) => {
      this.takeover.errored();
      const failure = describeMqttError(error, this.ctx);
      if (this.#lastError?.message !== failure.message) this.#log.warn(failure.message);
      this.#lastError = { ...failure, at: new Date() };
      if (FATAL_KINDS.has(failure.kind) && client.connected === false) this.#drop(client);
    });
    client.on("close", () => {
      const wasSuspected = this.takeover.suspected;
      const verdict = this.takeover.closed();
      // Back off instead of fighting the other client for the session (mqtt.js reads this on each reconnect).
      client.options.reconnectPeriod = verdict.reconnectMs;
      if (this.takeover.suspected && !this.#closed && this.#client === client) {
        const message = this.duplicateMessage();
        if (!wasSuspected) this.#log.error(message);
        this.#lastError = {
          kind: "duplicate",
          message,
          help: "Give each sensor its own id: `acoupi setup --device-id <id>` (or messaging.mqtt.client_id); a cloned SD card shares its machine id",
          at: new Date(),
        };
      } else if (!this.#closed && this.#client === client && this.#lastError === null) {
        const message = `Lost the connection to MQTT broker ${this.ctx.where}`;
        this.#log.warn(message);
        this.#lastError = { kind: "reset", message, help: "It reconnects in the background; messages wait in the outbox", at: new Date() };
      }
      // Publishes still waiting for PUBACK fail now; the outbox retries them, mqtt.js must not.
      for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
    });
  }

  #drop(client: MqttClient | null): void {
    if (client === null) return;
    if (this.#client === client) this.#client = null;
    client.end(true);
  }
}
