/**
 * @module `acoupi config schema`: the JSON Schema of the active program's config (or of
 * `--program NAME`), for editors and fleet tooling that write program.json files.
 */
import { defineCommand } from "citty";
import { programJsonSchema } from "../../../config/json-schema.ts";
import { loadConfigured, programs } from "../../../app/load-program.ts";

export default defineCommand({
  meta: { name: "schema", description: "Print the JSON Schema of the program's configuration" },
  args: { program: { type: "string", description: "A program other than the configured one (no setup needed)" } },
  async run({ args }) {
    const definition = args.program ? await programs.load(args.program) : (await loadConfigured()).definition;
    const schema = { title: `acoupi program "${definition.name}" configuration`, ...programJsonSchema(definition.configSchema) };
    process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
  },
});
