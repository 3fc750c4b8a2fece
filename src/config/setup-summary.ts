/**
 * @module What a configuration will do, in a few plain sentences, printed at the end of setup:
 * when it records, what it keeps and deletes, what it sends and where files go. The presets'
 * silent defaults (a saving threshold, a dawn/dusk window, a disk ceiling) are then no surprise.
 * It reads the config by acoupi's keys and says nothing about a section the program lacks.
 */
import { valueAt } from "./value-at.ts";

const hhmm = (time: unknown) => String(time ?? "").replace(/:00$/, "");
const num = (value: unknown) => (typeof value === "number" ? String(value) : "?");
/** Seconds in the unit a person would say: 90 s, 5 min, 1 h. */
const span = (value: unknown) => (typeof value !== "number" ? "?" : value >= 3600 && value % 3600 === 0 ? `${value / 3600} h` : value >= 120 && value % 60 === 0 ? `${value / 60} min` : `${value} s`);

function recording(config: unknown): string | null {
  const duration = valueAt(config, "recording.duration");
  if (typeof duration !== "number") return null;
  const interval = valueAt(config, "recording.interval");
  const zone = valueAt(config, "timezone") ?? "UTC";
  const every = interval === duration ? "continuously" : `every ${span(interval)}`;
  return `Records ${span(duration)} ${every} from ${hhmm(valueAt(config, "recording.schedule_start"))} to ${hhmm(valueAt(config, "recording.schedule_end"))} (${zone})`;
}

function keeping(config: unknown): string[] {
  const out: string[] = [];
  const saving = (field: string) => valueAt(config, `recording_saving.${field}`);
  if (valueAt(config, "recording_saving")) {
    const dawnDusk = saving("before_dawndusk_duration") || saving("after_dawndusk_duration");
    out.push(`keeps only recordings made between ${hhmm(saving("starttime"))} and ${hhmm(saving("endtime"))}${dawnDusk ? ", or around dawn and dusk" : ""}`);
  }
  const managers = (field: string) => valueAt(config, `saving_managers.${field}`);
  if (valueAt(config, "saving_managers")) {
    out.push(`keeps a recording only if a detection scores ≥ ${num(managers("saving_threshold"))} (≥ ${num(managers("detection_threshold"))} in ${String(managers("true_dir"))}/, the rest in ${String(managers("false_dir"))}/)`);
  } else if (valueAt(config, "model") !== undefined) out.push("keeps every recording, with or without detections");
  if (out.length === 0) out.push("keeps every recording");
  const threshold = valueAt(config, "detections.threshold");
  if (typeof threshold === "number") out.push(`stores detections scoring ≥ ${threshold}`);
  return out;
}

function hostOf(url: unknown): string {
  try {
    return new URL(String(url)).host;
  } catch {
    return "the HTTP endpoint"; // not a URL: validation has refused it already; say nothing of it
  }
}

function sending(config: unknown): string | null {
  const messaging = valueAt(config, "messaging");
  if (messaging === undefined) return null;
  const mqtt = valueAt(config, "messaging.mqtt");
  const http = valueAt(config, "messaging.http");
  if (!mqtt && !http) return "Sends nothing: no messenger (messaging.mqtt or messaging.http) is configured, so no message is queued";
  // The host alone: a URL can carry a password or a token, which are never printed.
  const to = http ? `to ${hostOf(valueAt(http, "base_url"))}` : `to the MQTT broker ${String(valueAt(mqtt, "host"))}:${num(valueAt(mqtt, "port"))}`;
  const threshold = valueAt(config, "detections.message_threshold") ?? valueAt(config, "detections.threshold");
  const detections = typeof threshold === "number" ? `detections scoring ≥ ${threshold} and ` : "";
  return `Sends ${detections}a heartbeat every ${span(valueAt(config, "messaging.heartbeat_interval"))} ${to}`;
}

function storage(config: unknown): string | null {
  const ceiling = valueAt(config, "storage.ceiling");
  if (ceiling === undefined) return null;
  const days = valueAt(config, "storage.max_age_days");
  return `When recordings pass ${String(ceiling)} of the disk${typeof days === "number" ? ` or ${days} days of age` : ""}, deletes the oldest without detections first`;
}

/** The summary lines, each a sentence without a trailing period. */
export function setupSummary(config: unknown): string[] {
  const lines: string[] = [];
  const rec = recording(config);
  if (rec) lines.push(rec);
  if (valueAt(config, "recording") !== undefined) {
    const keep = keeping(config);
    lines.push(`${keep[0]?.replace(/^./, (c) => c.toUpperCase())}${keep.length > 1 ? `; ${keep.slice(1).join("; ")}` : ""}`);
  }
  if (valueAt(config, "privacy.enabled") === true) lines.push(`Deletes recordings with speech (action: ${String(valueAt(config, "privacy.action"))})`);
  for (const line of [sending(config), storage(config)]) if (line) lines.push(line);
  return lines;
}
