/**
 * @module The checks setup makes on an answer as it is given, the same ones `check` makes later,
 * so a mistake costs a retyped line and not a visit to the sensor: a capture device that cannot
 * be opened (the devices found are listed, with the rates and channels they take), a broker given
 * as `mqtt://host:port` (split into host and port, or refused with the right form), a model file
 * that does not exist or is not ONNX. libasound is loaded only when a device is asked for.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { valueAt } from "./value-at.ts";

export interface AnswerVerdict {
  /** Why the answer is refused; the question is asked again. */
  problem?: string;
  /** Values to record instead of, or besides, the answer (`host` and `port` from a URL). */
  set?: Record<string, unknown>;
  /** A line to tell the user (what was done with the answer). */
  note?: string;
}

const URL_FORM = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?\/?$/i;
const TRANSPORTS: Record<string, string> = { mqtt: "tcp", tcp: "tcp", mqtts: "tls", ssl: "tls", tls: "tls", ws: "ws", wss: "wss" };

/** A broker host given as a URL: split into host, port and transport, or refused. */
export function checkBrokerHost(host: string, key = "messaging.mqtt.host"): AnswerVerdict | null {
  if (!host.includes("/") && !host.includes("://")) {
    if (/:\d+$/.test(host) && !host.includes("]")) return { problem: `${key} takes the host alone ("${host.replace(/:\d+$/, "")}"); give the port as ${key.replace(/host$/, "port")}` };
    return null;
  }
  const url = URL_FORM.exec(host.trim());
  const transport = url ? TRANSPORTS[(url[1] as string).toLowerCase()] : undefined;
  if (!url || !transport) {
    return { problem: `${key} takes a host name or IP address, such as broker.example.org or 10.0.0.2, not "${host}"; the port is ${key.replace(/host$/, "port")}` };
  }
  const prefix = key.replace(/host$/, "");
  const set: Record<string, unknown> = { [key]: url[2] };
  if (url[3] !== undefined) set[`${prefix}port`] = Number(url[3]);
  if (transport !== "tcp") set[`${prefix}transport`] = transport;
  const parts = Object.entries(set).map(([k, v]) => `${k} ${v}`).join(", ");
  return { set, note: `Read ${host} as ${parts}` };
}

/** ONNX files are protobuf ModelProto messages; every exporter writes field 1 (ir_version) first. */
function looksLikeOnnx(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x08 && (head[1] as number) > 0 && (head[1] as number) < 32;
  } finally {
    closeSync(fd);
  }
}

/** A model file that must exist and be ONNX; a relative path is taken from the working directory. */
export function checkModelPath(path: string, key = "model.path"): AnswerVerdict | null {
  const absolute = isAbsolute(path) ? path : resolve(path);
  if (!existsSync(absolute)) return { problem: `${key}: no file at ${absolute}` };
  if (!statSync(absolute).isFile()) return { problem: `${key}: ${absolute} is a folder, not a model file` };
  if (!looksLikeOnnx(absolute)) return { problem: `${key}: ${absolute} is not an ONNX model (export the model to ONNX first)` };
  return absolute === path ? null : { set: { [key]: absolute } };
}

const PROBE_RATES = [8000, 16000, 22050, 32000, 44100, 48000, 96000, 192000, 256000, 384000, 500000];

/** The devices found, each with the rates and channels it opens at (cards probed directly). */
export async function describeCaptureDevices(): Promise<string[]> {
  const { listCapturePcms, listCards } = await import("../../native/alsa/devices.ts");
  const { CapturePcm } = await import("../../native/alsa/pcm.ts");
  const opens = (device: string, samplerate: number, channels: number): boolean => {
    try {
      CapturePcm.open(device, { samplerate, channels, latencyUs: 100_000 }).close();
      return true;
    } catch {
      return false; // a refusal is the answer this probe asks for
    }
  };
  const lines: string[] = [];
  for (const card of listCards()) {
    const rates = PROBE_RATES.filter((rate) => opens(card.device, rate, 1) || opens(card.device, rate, 2));
    const channels = [1, 2, 4].filter((c) => opens(card.device, rates[0] ?? 48000, c));
    lines.push(`${card.device} (plug${card.device}) "${card.name}": ${rates.length > 0 ? `${rates.map((r) => r / 1000).join(", ")} kHz` : "busy or no rate"}; ${channels.length > 0 ? `${channels.join(" or ")} channel${channels.length === 1 && channels[0] === 1 ? "" : "s"}` : "no channel count"}`);
  }
  // The null PCM swallows everything and records nothing: no microphone to offer.
  for (const pcm of listCapturePcms()) if (pcm.name !== "null" && !lines.some((l) => l.startsWith(`${pcm.name} `))) lines.push(`${pcm.name}: any rate and channels (ALSA converts)`);
  return lines;
}

/**
 * A capture device that must open: at `samplerate` when given (the rate is being answered), else
 * at any usual rate (the rate is asked next).
 */
export async function checkCaptureDevice(device: string, channels: number, samplerate?: number): Promise<AnswerVerdict | null> {
  const { CapturePcm } = await import("../../native/alsa/pcm.ts");
  let last: unknown = null;
  for (const rate of samplerate === undefined ? [48000, ...PROBE_RATES] : [samplerate]) {
    try {
      CapturePcm.open(device, { samplerate: rate, channels, latencyUs: 100_000 }).close();
      return null;
    } catch (error) {
      last = error;
    }
  }
  const found = await describeCaptureDevices();
  const list = found.length > 0 ? found.map((l) => `    ${l}`).join("\n") : "    none (is the USB microphone plugged in?)";
  const at = samplerate === undefined ? "" : ` at ${samplerate} Hz, ${channels} channel${channels === 1 ? "" : "s"}`;
  // AlsaError already says "Cannot open capture device …"; say it once.
  const reason = (last as Error).message.replace(/^Cannot open capture device "[^"]*":\s*/, "");
  return { problem: `Cannot open capture device "${device}"${at}: ${reason}\n  Devices found:\n${list}` };
}

/**
 * The check for one answered key, or null when it passes or the key has none. `valueAt` gives
 * the answers so far (or defaults), such as the samplerate a device must open at.
 */
export async function checkAnswer(key: string, value: unknown, valueAt: (key: string) => unknown): Promise<AnswerVerdict | null> {
  const channels = Number(valueAt("microphone.audio_channels") ?? 1);
  if (key === "microphone.samplerate" && typeof value === "number") {
    const device = valueAt("microphone.device_name");
    return typeof device === "string" ? checkCaptureDevice(device, channels, value) : null;
  }
  if (typeof value !== "string" || value === "") return null;
  if (key === "microphone.device_name") return checkCaptureDevice(value, channels);
  if (/(^|\.)mqtt\.host$/.test(key)) return checkBrokerHost(value, key);
  if (key === "model.path") return checkModelPath(value, key);
  return null;
}

function setAtPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== "object") current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1] as string] = value;
}

/**
 * The same checks on values given as arguments or in a `--config` file (no questions): a broker
 * URL is split, or refused as a ConfigError naming the key; a relative model path is made
 * absolute, and a missing or non-ONNX model file is noted (a fleet's config is often made before
 * the model is copied over, and `check` refuses it later). The capture device is left to `check`.
 */
export function checkGivenValues(draft: Record<string, unknown>): void {
  const host = valueAt(draft, ["messaging", "mqtt", "host"]);
  const broker = typeof host === "string" && host !== "" ? checkBrokerHost(host) : null;
  if (broker?.problem) throw new ConfigError(broker.problem, { key: "messaging.mqtt.host", help: "Give the host alone, such as `--messaging.mqtt.host broker.example.org --messaging.mqtt.port 1883`" });
  const path = valueAt(draft, ["model", "path"]);
  const model = typeof path === "string" && path !== "" ? checkModelPath(path) : null;
  if (model?.problem) process.stdout.write(`Note: ${model.problem}: \`acoupi check\` fails until it is there\n`);
  const absolute = typeof path === "string" && path !== "" && !isAbsolute(path) ? { "model.path": resolve(path) } : {};
  if (broker?.note) process.stdout.write(`${broker.note}\n`);
  for (const [k, v] of Object.entries({ ...(broker?.set ?? {}), ...absolute })) setAtPath(draft, k, v);
}
