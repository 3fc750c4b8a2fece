/**
 * @module Interactive setup: asks for each promptable field of a program schema on the
 * terminal, showing its `.describe()` text and its current value (default or argument) as the
 * answer to accept with Enter. Optional sections (such as `messaging.mqtt`) are offered with a
 * yes/no question first. Fields marked `noPrompt` are never asked.
 */
import type { z } from "zod";
import { Asker } from "./ask.ts";
import { coerceValue } from "./coerce.ts";
import { getField } from "./fields.ts";
import { deepMerge } from "./args.ts";
import { enumValues, listFields, objectShape, type FieldInfo } from "./walk.ts";

function defaultOf(field: FieldInfo): unknown {
  const result = field.schema.safeParse(undefined);
  return result.success ? result.data : undefined;
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const overlay: Record<string, unknown> = {};
  let current = overlay;
  path.forEach((part, i) => {
    if (i === path.length - 1) current[part] = value;
    else current = (current[part] = {}) as Record<string, unknown>;
  });
  return deepMerge(target, overlay) as Record<string, unknown>;
}

async function ask(asker: Asker, field: FieldInfo, current: unknown): Promise<unknown> {
  const help = field.meta.description ? ` (${field.meta.description})` : "";
  const label = `${field.path}${help}`;
  if (field.kind === "boolean") return asker.confirm(label, current === true);
  const choices = enumValues(field.schema);
  if (field.kind === "enum" && choices.length > 0) return asker.select(label, choices, String(current ?? choices[0]));
  const shown = current === undefined || current === null ? "" : typeof current === "object" ? JSON.stringify(current) : String(current);
  for (;;) {
    const text = await asker.text(label, shown);
    if (text === "" && field.optional) return null;
    try {
      return coerceValue(field.schema, text, field.path);
    } catch (error) {
      asker.say((error as Error).message);
    }
  }
}

/** Walks the schema and asks for every promptable field, starting from `initial`. */
export async function promptConfig(schema: z.ZodType, initial: Record<string, unknown>, asker: Asker = new Asker()): Promise<Record<string, unknown>> {
  try {
    return await promptFields(schema, initial, asker);
  } finally {
    asker.close();
  }
}

async function promptFields(schema: z.ZodType, initial: Record<string, unknown>, asker: Asker): Promise<Record<string, unknown>> {
  let value = initial;
  const skipped: string[] = [];
  for (const field of listFields(schema)) {
    if (skipped.some((prefix) => field.path.startsWith(`${prefix}.`))) continue;
    if (field.meta.noPrompt) continue;
    const path = field.path.split(".");
    const current = safeGet(schema, value, field.path) ?? defaultOf(field);
    if (field.kind === "object") {
      if (field.optional && (current === undefined || current === null)) {
        const wanted = await asker.confirm(`Configure ${field.path}?${field.meta.description ? ` (${field.meta.description})` : ""}`, false);
        if (!wanted) skipped.push(field.path);
        else value = setAt(value, path, {});
      }
      continue;
    }
    if (objectShape(field.schema)) continue;
    value = setAt(value, path, await ask(asker, field, current));
  }
  return value;
}

/** `key` comes from listFields, so getField cannot meet an unknown key here. */
function safeGet(schema: z.ZodType, value: unknown, key: string): unknown {
  return getField(schema, value, key) ?? undefined;
}
