/**
 * @module Turning a command-line string into the value a schema field expects: numbers,
 * booleans (true/t/yes/y, false/f/no/n as acoupi accepts), JSON for lists and objects, `null`
 * for optional fields. Validation proper is left to the schema.
 */
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { checkJsonTree } from "../system/json-tree.ts";
import { enumValues, kindOf, unwrap } from "./walk.ts";

const TRUE = new Set(["true", "t", "yes", "y"]);
const FALSE = new Set(["false", "f", "no", "n"]);

export function coerceValue(schema: z.ZodType | null, raw: string, key: string): unknown {
  if (!schema) return raw;
  const u = unwrap(schema);
  if ((u.optional || u.nullable) && (raw === "null" || raw === "none" || raw === "")) return null;
  switch (kindOf(schema)) {
    case "number":
    case "integer": {
      const n = Number(raw);
      if (raw.trim() === "" || Number.isNaN(n)) {
        throw new ConfigError(`Invalid value for ${key}: expected a number, received "${raw}"`, { key, help: `Write ${key} as a number, such as 5 or 0.5` });
      }
      return n;
    }
    case "boolean": {
      const lower = raw.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      throw new ConfigError(`Invalid value for ${key}: expected true or false, received "${raw}"`, { key, help: `Write ${key} as true or false` });
    }
    case "array":
    case "object":
    case "record":
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (cause) {
        throw new ConfigError(`Invalid value for ${key}: expected JSON, received "${raw}"`, {
          key,
          cause,
          help: `Write ${key} as JSON, such as ["a", "b"] or {"name": "value"} (quoted for the shell)`,
        });
      }
      checkJsonTree(value, `The value for ${key}`);
      return value;
    case "enum": {
      // Choices are matched regardless of case (`Mute` is `mute`); the schema refuses any other word.
      const match = enumValues(schema).find((v) => v.toLowerCase() === raw.trim().toLowerCase());
      return match ?? raw;
    }
    default:
      return raw;
  }
}
