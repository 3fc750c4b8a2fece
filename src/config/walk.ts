/**
 * @module Reading a zod config schema as a tree of fields: unwrapping defaults, optionals and
 * transforms to find a field's kind, its description and markers, the field at a dotted path,
 * and the keys of a config value that the schema does not know. The CLI uses it for prompts,
 * `config get/set` and for refusing unknown keys by name.
 */
import type { z } from "zod";
import type { FieldMeta } from "./markers.ts";

export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "array" | "object" | "record" | "other";

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  options?: z.ZodType[];
  defaultValue?: unknown;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

export interface Unwrapped {
  core: z.ZodType;
  optional: boolean;
  nullable: boolean;
  hasDefault: boolean;
  meta: FieldMeta;
}

/** Strips optional / nullable / default / transform wrappers, merging their metadata. */
export function unwrap(schema: z.ZodType): Unwrapped {
  let current = schema;
  const result: Unwrapped = { core: schema, optional: false, nullable: false, hasDefault: false, meta: {} };
  for (let depth = 0; depth < 16; depth++) {
    const meta = (current.meta() ?? {}) as FieldMeta;
    result.meta = { ...meta, ...result.meta };
    if (current.description && !result.meta.description) result.meta.description = current.description;
    const def = defOf(current);
    if (def.type === "optional") result.optional = true;
    else if (def.type === "nullable") result.nullable = true;
    else if (def.type === "default" || def.type === "prefault") result.hasDefault = true;
    if (["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(def.type) && def.innerType) {
      current = def.innerType;
    } else if (def.type === "pipe" && def.in) {
      current = def.in;
    } else {
      break;
    }
  }
  result.core = current;
  return result;
}

export function kindOf(schema: z.ZodType): FieldKind {
  const core = unwrap(schema).core;
  const def = defOf(core);
  switch (def.type) {
    case "string":
    case "boolean":
    case "enum":
    case "array":
    case "object":
    case "record":
      return def.type;
    case "number":
      return (core as unknown as { isInt?: boolean }).isInt ? "integer" : "number";
    case "literal":
      return "enum";
    default:
      return "other";
  }
}

export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  const def = defOf(unwrap(schema).core);
  return def.type === "object" && def.shape ? def.shape : null;
}

/** The allowed values of an enum or literal field. */
export function enumValues(schema: z.ZodType): string[] {
  const def = defOf(unwrap(schema).core);
  if (def.type === "enum" && def.entries) return Object.values(def.entries).map(String);
  if (def.type === "literal" && def.values) return def.values.map(String);
  return [];
}

/** The schema of the field at `path` (object keys, array indexes, record keys), or null. */
export function fieldAt(schema: z.ZodType, path: readonly string[]): z.ZodType | null {
  let current: z.ZodType = schema;
  for (const part of path) {
    const def = defOf(unwrap(current).core);
    if (def.type === "object" && def.shape) {
      const next = def.shape[part];
      if (!next) return null;
      current = next;
    } else if (def.type === "array" && def.element && /^\d+$/.test(part)) {
      current = def.element;
    } else if (def.type === "record" && def.valueType) {
      current = def.valueType;
    } else if (def.type === "union" && def.options) {
      // e.g. labels: a file path or a list; `labels.0` goes to the list option.
      const next = def.options.map((option) => fieldAt(option, [part])).find((f) => f !== null);
      if (!next) return null;
      current = next;
    } else {
      return null;
    }
  }
  return current;
}

export interface FieldInfo {
  path: string;
  schema: z.ZodType;
  kind: FieldKind;
  meta: FieldMeta;
  optional: boolean;
  hasDefault: boolean;
}

/** Every leaf field (and optional nested object) of an object schema, depth first. */
export function listFields(schema: z.ZodType, prefix = ""): FieldInfo[] {
  const shape = objectShape(schema);
  if (!shape) return [];
  const fields: FieldInfo[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const u = unwrap(child);
    const kind = kindOf(child);
    fields.push({ path, schema: child, kind, meta: u.meta, optional: u.optional || u.nullable, hasDefault: u.hasDefault });
    if (kind === "object") fields.push(...listFields(child, path));
  }
  return fields;
}

/** Dotted paths of keys in `value` that `schema` does not declare. */
export function findUnknownKeys(schema: z.ZodType, value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  const def = defOf(unwrap(schema).core);
  const unknown: string[] = [];
  if (def.type === "object" && def.shape && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const sub = def.shape[key];
      if (!sub) unknown.push(path);
      else unknown.push(...findUnknownKeys(sub, child, path));
    }
  } else if (def.type === "array" && def.element && Array.isArray(value)) {
    value.forEach((item, i) => unknown.push(...findUnknownKeys(def.element as z.ZodType, item, prefix ? `${prefix}.${i}` : String(i))));
  } else if (def.type === "union" && def.options) {
    const perOption = def.options.map((o) => findUnknownKeys(o, value, prefix));
    const best = perOption.reduce((a, b) => (b.length < a.length ? b : a), perOption[0] ?? []);
    unknown.push(...best);
  }
  return unknown;
}
