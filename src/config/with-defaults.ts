/**
 * @module `withDefaults`: a preset's defaults over a template's config schema, without declaring
 * its fields again. `withDefaults(DetectionProgramConfigSchema, { model: { activation: "sigmoid" } })`
 * returns the same schema with those defaults changed: each field keeps its validation, its
 * description and its markers (noPrompt, secret), and an optional section keeps being optional.
 * `enabled({...})` turns an optional section on by default (its default becomes `{}` plus the
 * given defaults), as the birdnet preset does with `saving_managers`.
 */
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { unwrap } from "./walk.ts";

const ENABLED = Symbol("enabled");

/** Marks a section's overrides as "on by default" (an optional section defaults to its defaults, not null). */
export interface EnabledSection<T> {
  [ENABLED]: true;
  defaults: T;
}

export function enabled<T extends Record<string, unknown>>(defaults: T = {} as T): EnabledSection<T> {
  return { [ENABLED]: true, defaults };
}

/** Nested default values by key; an object value recurses into a section. */
export type DefaultsOverride = { [key: string]: unknown };

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  defaultValue?: unknown;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function isEnabled(value: unknown): value is EnabledSection<Record<string, unknown>> {
  return typeof value === "object" && value !== null && ENABLED in value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

type Wrapper = { type: "optional" | "nullable" } | { type: "default" | "prefault"; value: () => unknown };

/** The optional/nullable/default/prefault wrappers around a field, outermost first, and the field inside. */
function peel(schema: z.ZodType): { wrappers: Wrapper[]; inner: z.ZodType } {
  const wrappers: Wrapper[] = [];
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === "optional" || def.type === "nullable") && def.innerType) {
      wrappers.push({ type: def.type });
    } else if ((def.type === "default" || def.type === "prefault") && def.innerType) {
      const holder = def;
      wrappers.push({ type: def.type, value: () => holder.defaultValue });
    } else {
      return { wrappers, inner: current };
    }
    current = def.innerType;
  }
}

function wrap(inner: z.ZodType, wrappers: readonly Wrapper[]): z.ZodType {
  let schema = inner;
  for (const wrapper of [...wrappers].reverse()) {
    if (wrapper.type === "optional") schema = schema.optional();
    else if (wrapper.type === "nullable") schema = schema.nullable();
    else if (wrapper.type === "default") schema = schema.default(wrapper.value as never);
    else if (wrapper.type === "prefault") schema = schema.prefault(wrapper.value as never);
  }
  return schema;
}

function overrideField(path: string, field: z.ZodType, value: unknown): z.ZodType {
  const meta = unwrap(field).meta;
  const { wrappers, inner } = peel(field);
  const innerDef = defOf(inner);
  let result: z.ZodType;
  if (isEnabled(value) || (isPlainObject(value) && innerDef.type === "object")) {
    if (innerDef.type !== "object") throw new ConfigError(`Cannot set section defaults on ${path}: it is not a section`);
    const section = withDefaults(inner as z.ZodObject, isEnabled(value) ? value.defaults : value, `${path}.`);
    // An enabled section defaults to its own defaults instead of null.
    const hasDefault = wrappers.some((w) => w.type === "default" || w.type === "prefault");
    const kept = isEnabled(value) ? wrappers.filter((w) => w.type !== "default" && w.type !== "prefault") : wrappers;
    // A section given defaults may now be left out whole (any field still required is named).
    const onByDefault = isEnabled(value) || !hasDefault;
    result = wrap(section, onByDefault ? [{ type: "prefault", value: () => ({}) }, ...kept] : kept);
  } else {
    // A leaf: the outermost defaults go, the new one wraps what is left (nullable stays nullable).
    const firstKept = wrappers.findIndex((w) => w.type !== "default" && w.type !== "prefault");
    const kept = firstKept === -1 ? [] : wrappers.slice(firstKept);
    const candidate = wrap(inner, kept);
    const checked = candidate.safeParse(value);
    if (!checked.success) {
      throw new ConfigError(`The preset default of ${path} is not valid: ${checked.error.issues[0]?.message ?? "invalid"}`, {
        help: "This is a bug in the program's preset defaults",
      });
    }
    result = wrappers[0]?.type === "prefault" ? candidate.prefault(value as never) : candidate.default(checked.data as never);
  }
  return Object.keys(meta).length > 0 ? result.meta({ ...meta }) : result;
}

/** The schema with the given defaults changed; unknown keys are refused by name. */
export function withDefaults<S extends z.ZodObject>(schema: S, overrides: DefaultsOverride, prefix = ""): S {
  const shape = schema.shape as Record<string, z.ZodType>;
  const changed: Record<string, z.ZodType> = {};
  for (const [key, value] of Object.entries(overrides)) {
    const field = shape[key];
    if (field === undefined) {
      throw new ConfigError(`The preset sets a default for ${prefix}${key}, which the schema does not have`, {
        help: `Known keys: ${Object.keys(shape).join(", ")}`,
      });
    }
    changed[key] = overrideField(`${prefix}${key}`, field, value);
  }
  // safeExtend keeps the object's own refinements (e.g. low ≤ mid ≤ high).
  return schema.safeExtend(changed) as unknown as S;
}
