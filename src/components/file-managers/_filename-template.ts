/**
 * @module File name templates in the style of acoupi's DateFileManager (Python format strings):
 * `{field}` or `{field:strftime}`, where a field is `recording.<name>` (or just `<name>`),
 * `deployment.<name>` or `device.id`; `{{` and `}}` are literal braces. Dates take a strftime
 * spec (UTC) and default to Python's `str(datetime)`; null renders as "". The template is
 * checked once when compiled; the rendered name is sanitised by the caller.
 */
import { ConfigError } from "../../errors.ts";
import type { Recording } from "../../data/index.ts";
import { compileStrftime } from "./_strftime.ts";

type Value = string | number | Date | null;
type Render = (recording: Recording) => string;

const KEY = "filename_template";
const DATE_FIELDS = new Set(["created_on", "started_on", "ended_on"]);
const HELP = 'Write fields as {created_on:%Y%m%d_%H%M%S} or {id}; see `acoupi config show` for an example';

function recordingField(name: string): ((r: Recording) => Value) | undefined {
  switch (name) {
    case "id": return (r) => r.id;
    case "created_on": return (r) => r.created_on;
    case "duration": return (r) => r.duration;
    case "samplerate": return (r) => r.samplerate;
    case "path": return (r) => r.path;
    case "audio_channels": return (r) => r.audio_channels;
    case "time_expansion": return (r) => r.time_expansion;
    default: return undefined;
  }
}

function deploymentField(name: string): ((r: Recording) => Value) | undefined {
  switch (name) {
    case "id": return (r) => r.deployment.id;
    case "name": return (r) => r.deployment.name;
    case "latitude": return (r) => r.deployment.latitude;
    case "longitude": return (r) => r.deployment.longitude;
    case "started_on": return (r) => r.deployment.started_on;
    case "ended_on": return (r) => r.deployment.ended_on;
    default: return undefined;
  }
}

/** Python's `str(datetime)` for an aware UTC datetime. */
function pythonDateString(d: Date): string {
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === 0 ? "" : `.${String(ms * 1000).padStart(6, "0")}`}+00:00`;
}

function plain(value: Value): string {
  if (value === null) return "";
  if (value instanceof Date) return pythonDateString(value);
  return String(value);
}

function compileField(expression: string, template: string, deviceId: string | undefined): Render {
  const colon = expression.indexOf(":");
  const path = (colon === -1 ? expression : expression.slice(0, colon)).trim();
  const spec = colon === -1 ? null : expression.slice(colon + 1);
  const [head = "", ...rest] = path.split(".");
  const namespaced = rest.length === 1;
  let get: ((r: Recording) => Value) | undefined;
  if (rest.length === 0) get = recordingField(head);
  else if (namespaced && head === "recording") get = recordingField(rest[0] ?? "");
  else if (namespaced && head === "deployment") get = deploymentField(rest[0] ?? "");
  else if (namespaced && head === "device" && rest[0] === "id" && deviceId !== undefined) {
    const id = deviceId;
    get = () => id;
  }
  if (get === undefined) {
    throw new ConfigError(`Unknown field "{${path}}" in file name template "${template}"`, { key: KEY, help: HELP });
  }
  const read = get;
  if (spec === null) return (r) => plain(read(r));
  if (!DATE_FIELDS.has(rest[0] ?? head)) {
    throw new ConfigError(`Field "{${path}}" is not a date, so it cannot take the format "${spec}"`, { key: KEY, help: HELP });
  }
  const format = compileStrftime(spec, KEY);
  return (r) => {
    const value = read(r);
    return value instanceof Date ? format(value) : plain(value);
  };
}

/** Compiles a template; throws ConfigError for an unknown field, bad format or stray brace. */
export function compileFileNameTemplate(template: string, deviceId?: string): Render {
  const parts: Render[] = [];
  let literal = "";
  const flush = () => {
    if (literal === "") return;
    const text = literal;
    parts.push(() => text);
    literal = "";
  };
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    const next = template[i + 1];
    if ((char === "{" && next === "{") || (char === "}" && next === "}")) {
      literal += char;
      i++;
    } else if (char === "{") {
      const close = template.indexOf("}", i);
      if (close === -1) throw new ConfigError(`Unclosed "{" in file name template "${template}"`, { key: KEY, help: HELP });
      flush();
      parts.push(compileField(template.slice(i + 1, close), template, deviceId));
      i = close;
    } else if (char === "}") {
      throw new ConfigError(`Single "}" in file name template "${template}"`, { key: KEY, help: "Write a literal brace as }}" });
    } else {
      literal += char;
    }
  }
  flush();
  return (recording) => parts.map((part) => part(recording)).join("");
}
