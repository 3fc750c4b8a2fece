/**
 * @module What acoupi-grafana-dashboard's ingest does with an MQTT message, rebuilt for tests
 * from the field tables in test/fixtures/acoupi-dashboard/ingest-models.json (no code of its is
 * copied): the device id from the topic, and the payload classified as a detection (ModelOutput),
 * a heartbeat, "unknown" (JSON that fits neither) or "rejected" (not JSON). `validate` checks one
 * value against one model the way pydantic's lax mode does for these types, extra keys allowed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface Field {
  type: string;
  nullable?: boolean;
  default?: unknown;
}

interface Fixture {
  ingest: { device_topic_prefix: string; classify_order: string[]; optional_reads: Record<string, string> };
  models: Record<string, Record<string, Field>>;
}

export const DASHBOARD: Fixture = JSON.parse(
  readFileSync(join(import.meta.dir, "../fixtures/acoupi-dashboard/ingest-models.json"), "utf8"),
);

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function typeProblems(type: string, value: unknown, at: string): string[] {
  if (type.startsWith("list:")) {
    if (!Array.isArray(value)) return [`${at}: expected a list`];
    return value.flatMap((item, i) => typeProblems(type.slice(5), item, `${at}[${i}]`));
  }
  if (type in DASHBOARD.models) return validate(type, value, at);
  switch (type) {
    case "str":
    case "path":
      return typeof value === "string" ? [] : [`${at}: expected a string`];
    case "int":
      return Number.isInteger(value) ? [] : [`${at}: expected an integer`];
    case "float":
      return typeof value === "number" && Number.isFinite(value) ? [] : [`${at}: expected a number`];
    case "uuid":
      return typeof value === "string" && UUID_RE.test(value) ? [] : [`${at}: expected a UUID`];
    case "datetime":
      return typeof value === "string" && DATETIME_RE.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T")))
        ? []
        : [`${at}: expected an ISO 8601 datetime`];
    case "tuple4":
      return Array.isArray(value) && value.length === 4 && value.every((v) => typeof v === "number")
        ? []
        : [`${at}: expected four numbers`];
    default:
      throw new Error(`Unknown fixture type ${type}`);
  }
}

/** What keeps `value` from validating as `model`; empty when it validates. */
export function validate(model: string, value: unknown, at = model): string[] {
  const fields = DASHBOARD.models[model];
  if (fields === undefined) throw new Error(`No model ${model} in the fixture`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${at}: expected an object`];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    const where = `${at}.${name}`;
    if (!(name in record)) {
      if (!("default" in field)) problems.push(`${where}: required`);
      continue;
    }
    const v = record[name];
    if (v === null) {
      if (field.nullable !== true) problems.push(`${where}: must not be null`);
      continue;
    }
    problems.push(...typeProblems(field.type, v, where));
  }
  return problems;
}

export interface IngestedMessage {
  device: string;
  status: "accepted" | "rejected" | "unknown";
  type: "detection" | "heartbeat" | null;
}

/** How the ingest files one MQTT message. */
export function ingest(topic: string, payload: string): IngestedMessage {
  const prefix = DASHBOARD.ingest.device_topic_prefix;
  const device = prefix !== "" && topic.startsWith(prefix) ? topic.slice(prefix.length) || topic : topic;
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return { device, status: "rejected", type: null };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { device, status: "unknown", type: null };
  if (validate("ModelOutput", data).length === 0) return { device, status: "accepted", type: "detection" };
  if (validate("Heartbeat", data).length === 0) return { device, status: "accepted", type: "heartbeat" };
  return { device, status: "unknown", type: null };
}
