/**
 * @module `acoupi config diff`: each setting that differs from the program's defaults, as
 * `key: default → current` (secrets only as changed), so a sensor's configuration can be read
 * at a glance and compared with another's.
 */
import { defineCommand } from "citty";
import type { z } from "zod";
import { diffConfig, formatChanges } from "../../../config/diff.ts";
import { valueAt } from "../../../config/value-at.ts";
import { listFields } from "../../../config/walk.ts";
import { loadConfigured } from "../../../app/load-program.ts";

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The program's defaults as this config would have them: an optional section the user switched
 * on (`messaging.mqtt`) counts with its own defaults, so only the keys set to something else show,
 * not every default of the section as "null → value". Keys without a default are left out.
 */
function defaultsOf(schema: z.ZodType, config: unknown): Record<string, unknown> {
  const whole = schema.safeParse({});
  const out: Record<string, unknown> = whole.success && isObject(whole.data) ? structuredClone(whole.data) : {};
  for (const field of listFields(schema)) {
    if (field.kind === "object") continue;
    const parts = field.path.split(".");
    // Only inside sections that the config has: a leaf of a section left unset stays out.
    if (!isObject(valueAt(config, parts.slice(0, -1))) || valueAt(out, parts) !== undefined) continue;
    const parsed = field.schema.safeParse(undefined);
    if (!parsed.success) continue;
    let current = out;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(current[part])) current[part] = {};
      current = current[part] as Record<string, unknown>;
    }
    current[parts[parts.length - 1] as string] = parsed.data;
  }
  return out;
}

/** The optional sections that are unset by default and set in the config. */
function switchedOn(schema: z.ZodType, defaults: unknown, config: unknown): string[] {
  const whole = schema.safeParse({});
  const base = whole.success ? whole.data : defaults;
  return listFields(schema)
    .filter((f) => f.kind === "object" && f.optional && !isObject(valueAt(base, f.path)) && isObject(valueAt(config, f.path)))
    .map((f) => f.path);
}

export default defineCommand({
  meta: { name: "diff", description: "Show the settings that differ from the program's defaults" },
  async run() {
    const { definition, config, programName } = await loadConfigured();
    const defaults = defaultsOf(definition.configSchema, config);
    const on = switchedOn(definition.configSchema, defaults, config);
    // A section switched on shows as one line, then only its keys that differ from its defaults.
    const changes = diffConfig(defaults, config).filter((c) => !(c.before === null && on.includes(c.key)));
    const lines = [...on.map((section) => `  ${section}: switched on (unset by default)`), ...formatChanges(definition.configSchema, changes)];
    if (lines.length === 0) {
      process.stdout.write(`Every setting is the default of program "${programName}"\n`);
      return;
    }
    process.stdout.write(`Settings that differ from the defaults of program "${programName}" (default → current):\n${lines.join("\n")}\n`);
  },
});
