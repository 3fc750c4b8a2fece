/**
 * @module `acoupi config set [--field] a.b.c VALUE`: validated against the schema before
 * anything is written; the file is replaced atomically, or left byte-identical on error.
 */
import { defineCommand } from "citty";
import { writeProgramConfig } from "../../../config/config-file.ts";
import { setField } from "../../../config/fields.ts";
import { ConfigError } from "../../../errors.ts";
import { loadConfigured } from "../../load-program.ts";

export default defineCommand({
  meta: { name: "set", description: "Change one field: `acoupi config set recording.duration 5`" },
  args: {
    first: { type: "positional", required: false, description: "Dotted key, or the value when --field is given" },
    second: { type: "positional", required: false, description: "The value" },
    field: { type: "string", description: "Dotted key (acoupi's form: --field a.b VALUE); empty replaces the whole config from JSON" },
  },
  async run({ args }) {
    const { paths, definition, config, programName } = await loadConfigured();
    const key = args.field ?? (args.second === undefined ? "" : args.first);
    const raw = args.field !== undefined || args.second === undefined ? args.first : args.second;
    if (raw === undefined || key === undefined) {
      throw new ConfigError("Missing value: use `acoupi config set <key> <value>`", { help: "Run `acoupi config show` to list the keys" });
    }
    const updated = setField(definition.configSchema, config, key, raw);
    writeProgramConfig(paths, programName, updated);
    process.stdout.write(key ? `Set ${key}\n` : "Replaced the whole configuration\n");
  },
});
