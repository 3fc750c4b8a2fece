/**
 * @module `acoupi config set [--field] a.b.c VALUE`: validated against the schema before
 * anything is written; the file is replaced atomically, or left byte-identical on error.
 */
import { defineCommand } from "citty";
import { writeProgramConfig } from "../../../config/config-file.ts";
import { setField } from "../../../config/fields.ts";
import { ConfigError } from "../../../errors.ts";
import { loadConfigured } from "../../load-program.ts";

/** The positional arguments; citty would read a negative number such as `-1` as a short flag. */
function positionals(rawArgs: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    if (arg === "--field") i++;
    else if (!arg.startsWith("-") || /^-\.?\d/.test(arg)) out.push(arg);
  }
  return out;
}

export default defineCommand({
  meta: { name: "set", description: "Change one field: `acoupi config set recording.duration 5`" },
  args: {
    first: { type: "positional", required: false, description: "Dotted key, or the value when --field is given" },
    second: { type: "positional", required: false, description: "The value" },
    field: { type: "string", description: "Dotted key (acoupi's form: --field a.b VALUE); empty replaces the whole config from JSON" },
  },
  async run({ args, rawArgs }) {
    const { paths, definition, config, programName } = await loadConfigured();
    const [first, second] = positionals(rawArgs);
    const key = args.field ?? (second === undefined ? "" : first);
    const raw = args.field !== undefined || second === undefined ? first : second;
    if (raw === undefined || key === undefined) {
      throw new ConfigError("Missing value: use `acoupi config set <key> <value>`", { help: "Run `acoupi config show` to list the keys" });
    }
    const updated = setField(definition.configSchema, config, key, raw);
    writeProgramConfig(paths, programName, updated);
    process.stdout.write(key ? `Set ${key}\n` : "Replaced the whole configuration\n");
  },
});
