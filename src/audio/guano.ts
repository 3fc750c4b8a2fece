/**
 * @module GUANO metadata (the `guan` RIFF chunk that bat and bird tools read): building the text
 * acoupi writes for a recording, wrapping it in a chunk, and parsing it back. The text is UTF-8
 * `key: value` lines, `GUANO|Version: 1.0` first; namespaced keys use `|` (`Acoupi|Deployment ID`).
 * Newlines inside values are escaped as `\n`, as the GUANO spec asks.
 */
import { parseWav } from "./wav.ts";

export const GUANO_VERSION = "1.0";

/** What acoupi writes into each recording. */
export interface AcoupiGuano {
  /** Wall time of the first sample. */
  timestamp: Date;
  firmwareVersion: string;
  /** The device id (GUANO `Serial`). */
  serial: string;
  /** The capture samplerate, before time expansion. */
  samplerate: number;
  /** Seconds of audio actually captured (frames / samplerate). */
  length: number;
  timeExpansion: number;
  latitude: number | null;
  longitude: number | null;
  deploymentName: string;
  deploymentId: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** ISO 8601 with milliseconds and an explicit UTC offset, e.g. `2024-05-01T14:03:00.125+00:00`. */
export function guanoTimestamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    `.${pad(date.getUTCMilliseconds(), 3)}+00:00`
  );
}

function escapeValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\r", "").replaceAll("\n", "\\n");
}

function unescapeValue(value: string): string {
  return value.replace(/\\(n|\\)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
}

/** Python-like float text (`1.0`, `0.5`), which GUANO readers expect for Length and TE. */
function floatText(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** The GUANO fields of an acoupi recording, in writing order. */
export function acoupiGuanoFields(meta: AcoupiGuano): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ["GUANO|Version", GUANO_VERSION],
    ["Timestamp", guanoTimestamp(meta.timestamp)],
    ["Make", "acoupi"],
    ["Firmware Version", meta.firmwareVersion],
    ["Serial", meta.serial],
    ["Samplerate", String(meta.samplerate)],
    ["Length", floatText(meta.length)],
  ];
  if (meta.timeExpansion !== 1) fields.push(["TE", floatText(meta.timeExpansion)]);
  if (meta.latitude !== null && meta.longitude !== null)
    fields.push(["Loc Position", `${meta.latitude} ${meta.longitude}`]);
  fields.push(["Acoupi|Deployment Name", meta.deploymentName], ["Acoupi|Deployment ID", meta.deploymentId]);
  return fields;
}

/** GUANO text from ordered fields; `GUANO|Version` is put first when it is missing. */
export function buildGuano(fields: Iterable<[string, string]>): string {
  const lines: string[] = [];
  let hasVersion = false;
  for (const [key, value] of fields) {
    if (key.includes(":") || key.includes("\n")) throw new RangeError(`Invalid GUANO key "${key}"`);
    if (key === "GUANO|Version") hasVersion = true;
    lines.push(`${key}: ${escapeValue(value)}`);
  }
  if (!hasVersion) lines.unshift(`GUANO|Version: ${GUANO_VERSION}`);
  return `${lines.join("\n")}\n`;
}

/** Parses GUANO text into a map, in file order; blank and malformed lines are skipped. */
export function parseGuano(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).trim(), unescapeValue(line.slice(colon + 1).trim()));
  }
  return fields;
}

/** A complete `guan` chunk (id, size, UTF-8 text, pad byte when the size is odd). */
export function guanoChunk(text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const chunk = new Uint8Array(8 + body.byteLength + (body.byteLength % 2));
  const view = new DataView(chunk.buffer);
  chunk.set([0x67, 0x75, 0x61, 0x6e], 0);
  view.setUint32(4, body.byteLength, true);
  chunk.set(body, 8);
  return chunk;
}

/** The GUANO fields of a WAV file held in `bytes`, or null when it has no `guan` chunk. */
export function readGuano(bytes: Uint8Array): Map<string, string> | null {
  const chunk = parseWav(bytes).chunks.find((c) => c.id === "guan");
  if (chunk === undefined) return null;
  return parseGuano(new TextDecoder().decode(bytes.subarray(chunk.offset, chunk.offset + chunk.size)));
}
