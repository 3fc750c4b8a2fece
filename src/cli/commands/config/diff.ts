/**
 * @module `acoupi config diff`: each setting that differs from the program's defaults, as
 * `key: default → current` (secrets only as changed), so a sensor's configuration can be read
 * at a glance and compared with another's.
 */
import { defineCommand } from "citty";
import type { z } from "zod";
import { diffConfig, formatChanges } from "../../../config/diff.ts";
import { listFields } from "../../../config/walk.ts";
import { loadConfigured } from "../../load-program.ts";

/** The program's defaults; keys without a default (a model path) are left out. */
function defaultsOf(schema: z.ZodType): unknown {
  const whole = schema.safeParse({});
  if (whole.success) return whole.data;
  const out: Record<string, unknown> = {};
  for (const field of listFields(schema)) {
    if (field.kind === "object") continue;
    const parsed = field.schema.safeParse(undefined);
    if (!parsed.success) continue;
    const parts = field.path.split(".");
    let current = out;
    for (const part of parts.slice(0, -1)) current = (current[part] ??= {}) as Record<string, unknown>;
    current[parts[parts.length - 1] as string] = parsed.data;
  }
  return out;
}

export default defineCommand({
  meta: { name: "diff", description: "Show the settings that differ from the program's defaults" },
  async run() {
    const { definition, config, programName } = await loadConfigured();
    const changes = diffConfig(defaultsOf(definition.configSchema), config);
    if (changes.length === 0) {
      process.stdout.write(`Every setting is the default of program "${programName}"\n`);
      return;
    }
    process.stdout.write(`Settings that differ from the defaults of program "${programName}" (default → current):\n${formatChanges(definition.configSchema, changes).join("\n")}\n`);
  },
});
