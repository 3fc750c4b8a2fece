/**
 * @module acoupi-style setup arguments: `--recording.duration 5`, nested keys, list items as
 * `--a.0 x`, and `--key=value`. Values are coerced to each field's type; a key the schema does
 * not know is refused by name.
 */
import { resolve } from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { coerceValue } from "./coerce.ts";
import { unknownKeyHelp } from "./key-help.ts";
import { splitKey } from "./fields.ts";
import { fieldAt, kindOf, unwrap } from "./walk.ts";

/** Flags that belong to the command itself, not to the program config. */
const COMMAND_FLAGS = new Set(["program", "config", "prompt", "no-prompt", "verbose", "help", "h", "device-id", "site-prefix", "edit"]);

/** Collects `--a.b value` pairs into a nested object shaped by `schema`. */
export function parseConfigArgs(schema: z.ZodType, argv: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) continue;
    let key = arg.slice(2);
    let raw: string | undefined;
    const eq = key.indexOf("=");
    if (eq >= 0) {
      raw = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    if (COMMAND_FLAGS.has(key)) {
      if (raw === undefined && !["prompt", "no-prompt", "verbose", "help", "h"].includes(key)) i++;
      continue;
    }
    const path = splitKey(key);
    const field = fieldAt(schema, path);
    if (!field) {
      throw new ConfigError(`Unknown option --${key}: it is not a configuration key of this program`, {
        key,
        help: unknownKeyHelp(schema, key),
      });
    }
    if (raw === undefined) {
      const next = argv[i + 1];
      if (kindOf(field) === "boolean" && (next === undefined || next.startsWith("--"))) raw = "true";
      else if (next === undefined) throw new ConfigError(`Missing value for --${key}`, { key });
      else {
        raw = next;
        i++;
      }
    }
    // A path typed on the command line is relative to the working directory, as in any shell.
    if (unwrap(field).meta.path && typeof raw === "string" && raw !== "" && !raw.startsWith("~")) raw = resolve(raw);
    assign(result, path, coerceValue(field, raw, key));
  }
  return result;
}

function assign(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current: Record<string, unknown> | unknown[] = target;
  path.forEach((part, index) => {
    const last = index === path.length - 1;
    const container = current as Record<string, unknown>;
    if (last) {
      container[part] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(path[index + 1] as string);
    if (container[part] === undefined || typeof container[part] !== "object") container[part] = nextIsIndex ? [] : {};
    current = container[part] as Record<string, unknown>;
  });
}

/** Deep-merges `overlay` onto `base` (objects merge, everything else replaces). */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) return base;
  if (base === null || typeof base !== "object" || Array.isArray(base) || overlay === null || typeof overlay !== "object") {
    if (Array.isArray(base) && Array.isArray(overlay)) {
      const out = [...base];
      overlay.forEach((v, i) => {
        if (v !== undefined) out[i] = deepMerge(base[i], v);
      });
      return out;
    }
    return overlay;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overlay as Record<string, unknown>)) out[key] = deepMerge(out[key], value);
  return out;
}
