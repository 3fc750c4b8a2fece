/**
 * @module Turning what mqtt.js reports (socket errors, TLS errors, CONNACK refusals) into one
 * sentence and a help line naming the `messaging.mqtt.*` keys to check. The same description
 * becomes a MessageSendError at send time and a HealthCheckError in `check`. Messages never
 * carry the password: they are built from the host, port, user name and error codes only.
 * A failure is described once: an error that already carries its description (DescribedMqttError,
 * e.g. the last failure re-raised when a reconnect's socket closes) keeps it, so reconnects never
 * wrap the previous message again, and the underlying text is cut to a bounded length.
 */

export type MqttFailureKind = "auth" | "refused" | "unreachable" | "dns" | "timeout" | "tls" | "reset" | "duplicate" | "other";

export interface MqttFailure {
  kind: MqttFailureKind;
  message: string;
  help: string;
}

export interface MqttErrorContext {
  host: string;
  port: number;
  username: string | null;
  useTls: boolean;
  timeoutSeconds: number;
  /** How to name the broker in messages; `host:port` by default (a ws URL over websockets). */
  where?: string;
}

/** CONNACK codes that mean "who you are is not accepted": v3.1.1 4/5, v5 134/135. */
const AUTH_CODES = new Set([4, 5, 134, 135]);
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN"]);
const TLS_CODE_RE = /CERT|SSL|TLS|UNABLE_TO_|SELF_SIGNED|ALTNAME|HOSTNAME|SIGNATURE/i;
const ADDRESS_HELP = "Check that the broker runs and that messaging.mqtt.host and messaging.mqtt.port are right";

function codeOf(error: unknown): string | number | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === "string" || typeof code === "number" ? code : undefined;
}

/** Longest underlying error text kept in a description. */
const TEXT_CHARS = 200;

function textOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > TEXT_CHARS ? `${text.slice(0, TEXT_CHARS - 1)}…` : text;
}

/** An error that already is a described failure: `describeMqttError` returns its failure as it is. */
export class DescribedMqttError extends Error {
  readonly failure: MqttFailure;
  constructor(failure: MqttFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** Describes a connection or publish failure for the user. */
export function describeMqttError(error: unknown, ctx: MqttErrorContext): MqttFailure {
  if (error instanceof DescribedMqttError) return { kind: error.failure.kind, message: error.failure.message, help: error.failure.help };
  const where = ctx.where ?? `${ctx.host}:${ctx.port}`;
  const code = codeOf(error);
  const text = textOf(error);
  if (typeof code === "number") {
    if (AUTH_CODES.has(code)) {
      return {
        kind: "auth",
        message: ctx.username === null
          ? `MQTT broker ${where} refused the connection without credentials`
          : `MQTT broker ${where} refused the credentials for user "${ctx.username}"`,
        help: ctx.username === null
          ? "Set messaging.mqtt.username and messaging.mqtt.password"
          : "Check messaging.mqtt.username and messaging.mqtt.password",
      };
    }
    const clientIdRejected = code === 2 || code === 133;
    return {
      kind: "refused",
      message: `MQTT broker ${where} refused the connection: ${text.replace(/^Connection refused: /, "")} (code ${code})`,
      help: clientIdRejected ? "Check messaging.mqtt.client_id" : "Check the broker's log for the reason",
    };
  }
  if (code !== undefined && DNS_CODES.has(code)) {
    return {
      kind: "dns",
      message: `Cannot resolve the MQTT broker host "${ctx.host}": ${code}`,
      help: "Check messaging.mqtt.host and the network connection",
    };
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return { kind: "unreachable", message: `Cannot connect to MQTT broker ${where}: ${code}`, help: ADDRESS_HELP };
  }
  if (code === "ETIMEDOUT" || /connack timeout|timed out|timeout/i.test(text)) {
    return {
      kind: "timeout",
      message: `MQTT broker ${where} did not answer within ${ctx.timeoutSeconds} s`,
      help: `${ADDRESS_HELP}, or raise messaging.mqtt.timeout`,
    };
  }
  if ((typeof code === "string" && TLS_CODE_RE.test(code)) || /TLS not authorized|certificate/i.test(text)) {
    const needsClientCert = /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA/i.test(`${code ?? ""} ${text}`)
      && /ALERT/i.test(`${code ?? ""} ${text}`);
    return {
      kind: "tls",
      message: `TLS handshake with MQTT broker ${where} failed: ${text}${code !== undefined ? ` (${code})` : ""}`,
      help: needsClientCert
        ? "The broker refused our client certificate: check messaging.mqtt.cert_file and messaging.mqtt.key_file"
        : "Check messaging.mqtt.ca_file: it must hold the CA that signed the broker's certificate, issued for messaging.mqtt.host",
    };
  }
  if (code === "ECONNRESET" || code === "EPIPE") {
    return {
      kind: "reset",
      message: `MQTT broker ${where} closed the connection: ${code}`,
      help: ctx.useTls
        ? "Check that the broker listens for TLS on messaging.mqtt.port"
        : "If the broker expects TLS on this port, set messaging.mqtt.use_tls to true",
    };
  }
  return {
    kind: "other",
    message: `MQTT connection to ${where} failed: ${text}${code !== undefined ? ` (${code})` : ""}`,
    help: ADDRESS_HELP,
  };
}
