/**
 * @module Getting and setting one field of a config by its dotted key (`recording.duration`,
 * list items as `a.0`), as `acoupi config get/set` do. Setting returns a new validated config
 * and never touches the file: the caller writes it only when validation passed.
 */
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { coerceValue } from "./coerce.ts";
import { unknownKeyHelp } from "./key-help.ts";
import { validateConfig } from "./validate.ts";
import { fieldAt } from "./walk.ts";

export function splitKey(key: string): string[] {
  return key.split(".").filter((part) => part.length > 0);
}

function unknownKey(schema: z.ZodType, key: string): ConfigError {
  return new ConfigError(`Field "${key}" is not part of the configuration`, {
    key,
    help: unknownKeyHelp(schema, key),
  });
}

export function getField(schema: z.ZodType, config: unknown, key: string): unknown {
  const path = splitKey(key);
  if (path.length === 0) return config;
  if (!fieldAt(schema, path)) throw unknownKey(schema, key);
  let current: unknown = config;
  for (const part of path) {
    if (current === null || typeof current !== "object") return null;
    current = (current as Record<string, unknown>)[part];
  }
  return current ?? null;
}

/** Returns a validated copy of `config` with `key` set from the raw string `raw`. */
export function setField<S extends z.ZodType>(schema: S, config: unknown, key: string, raw: string): z.output<S> {
  const path = splitKey(key);
  if (path.length === 0) {
    let whole: unknown;
    try {
      whole = JSON.parse(raw);
    } catch (cause) {
      throw new ConfigError("The whole configuration must be given as JSON", {
        cause,
        help: "Give one JSON object, or set a single key with `acoupi config set <key> <value>`",
      });
    }
    return validateConfig(schema, whole);
  }
  const field = fieldAt(schema, path);
  if (!field) throw unknownKey(schema, key);
  const value = coerceValue(field, raw, key);
  const copy = structuredClone(config) as Record<string, unknown>;
  let current: Record<string, unknown> = copy;
  for (const part of path.slice(0, -1)) {
    const next = current[part];
    if (next === null || next === undefined || typeof next !== "object") current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[path[path.length - 1] as string] = value;
  return validateConfig(schema, copy);
}
