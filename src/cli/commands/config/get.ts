/** @module `acoupi config get [--field] a.b.c`: one field (or the whole config) as JSON; secrets stay masked. */
import { defineCommand } from "citty";
import { getField } from "../../../config/fields.ts";
import { maskSecrets } from "../../../config/secrets.ts";
import { loadConfigured } from "../../../app/load-program.ts";

export default defineCommand({
  meta: { name: "get", description: "Print one field: `acoupi config get recording.duration`" },
  args: {
    key: { type: "positional", required: false, description: "Dotted key, e.g. recording.duration" },
    field: { type: "string", description: "Dotted key (acoupi's form: --field recording.duration)" },
    indent: { type: "string", alias: "i", description: "JSON indent", default: "2" },
  },
  async run({ args }) {
    const { definition, config } = await loadConfigured();
    const key = args.field ?? args.key ?? "";
    const masked = maskSecrets(definition.configSchema, config);
    const value = getField(definition.configSchema, masked, key);
    process.stdout.write(`${JSON.stringify(value, null, Number(args.indent) || 0)}\n`);
  },
});
