/**
 * @module The mqtt.js connection options for an MqttMessenger config: an options object (not a
 * URL, which compiled binaries warn about) for each transport (tcp, tls, and MQTT over websockets
 * with mqtt.js's own ws/wss support and a path), mqtt.js's own reconnect loop, no offline queue
 * for QoS 0, the retained "offline" last will, and the TLS files read when connecting (a file that
 * cannot be read is a MessageSendError naming its config key).
 */
import { readFileSync } from "node:fs";
import type { IClientOptions } from "mqtt";
import { MessageSendError } from "../../errors.ts";
import type { MqttConfig } from "./mqtt-messenger.ts";

export type MqttProtocol = "mqtt" | "mqtts" | "ws" | "wss";

/** The mqtt.js protocol of a config: its transport, made secure by `use_tls`. */
export function mqttProtocol(c: Pick<MqttConfig, "transport" | "use_tls">): MqttProtocol {
  switch (c.transport) {
    case "tls":
      return "mqtts";
    case "wss":
      return "wss";
    case "ws":
    case "websockets":
      return c.use_tls ? "wss" : "ws";
    default:
      return c.use_tls ? "mqtts" : "mqtt";
  }
}

/** True when the connection is encrypted, so the TLS settings apply. */
export function isSecure(protocol: MqttProtocol): boolean {
  return protocol === "mqtts" || protocol === "wss";
}

/** Where the broker is, for messages: `host:port`, plus the scheme and path over websockets. */
export function mqttWhere(c: Pick<MqttConfig, "host" | "port" | "transport" | "use_tls" | "path">): string {
  const protocol = mqttProtocol(c);
  return protocol === "ws" || protocol === "wss" ? `${protocol}://${c.host}:${c.port}${c.path}` : `${c.host}:${c.port}`;
}

/**
 * Connection options for `config`, reconnecting every `ids.reconnectMs`; throws MessageSendError
 * when a TLS file cannot be read.
 */
export function mqttClientOptions(c: MqttConfig, ids: { clientId: string; statusTopic: string | null; reconnectMs: number }): IClientOptions {
  const protocol = mqttProtocol(c);
  const options: IClientOptions = {
    host: c.host,
    port: c.port,
    protocol,
    protocolVersion: 4,
    clientId: ids.clientId,
    clean: true,
    keepalive: c.keepalive,
    connectTimeout: c.timeout * 1000,
    reconnectPeriod: ids.reconnectMs,
    queueQoSZero: false,
    resubscribe: false,
  };
  if (ids.statusTopic !== null) options.will = { topic: ids.statusTopic, payload: Buffer.from("offline"), qos: 1, retain: true };
  if (protocol === "ws" || protocol === "wss") options.path = c.path;
  if (c.username !== null) options.username = c.username;
  if (c.password !== null) options.password = c.password;
  if (isSecure(protocol)) {
    options.rejectUnauthorized = c.tls_verify;
    const files: Array<[string | null, "ca" | "cert" | "key", string]> = [
      [c.ca_file, "ca", "ca_file"],
      [c.cert_file, "cert", "cert_file"],
      [c.key_file, "key", "key_file"],
    ];
    for (const [path, option, key] of files) {
      if (path === null) continue;
      try {
        options[option] = readFileSync(path);
      } catch (cause) {
        const reason = cause instanceof Error && "code" in cause ? String(cause.code) : String(cause);
        throw new MessageSendError(`Cannot read messaging.mqtt.${key} "${path}": ${reason}`, {
          help: `Check messaging.mqtt.${key}: it must name a readable PEM file`,
          cause,
        });
      }
    }
  }
  return options;
}
