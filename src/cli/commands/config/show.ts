/** @module `acoupi config show`: the whole configuration as JSON, with secrets masked. */
import { defineCommand } from "citty";
import { maskSecrets } from "../../../config/secrets.ts";
import { loadConfigured } from "../../../app/load-program.ts";

export default defineCommand({
  meta: { name: "show", description: "Print the whole configuration (secrets masked)" },
  async run() {
    const { definition, config, programName } = await loadConfigured();
    process.stdout.write(`# program: ${programName}\n`);
    process.stdout.write(`${JSON.stringify(maskSecrets(definition.configSchema, config), null, 2)}\n`);
  },
});
