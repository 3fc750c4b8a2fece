/**
 * @module Writes docs/configuration.md from the built-in programs' schemas
 * (`bun scripts/config-docs.ts`), or with `--check` exits 1 when the file is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configReference, type DocumentedProgram } from "../src/config/reference.ts";
import { programs } from "../src/app/load-program.ts";

export const REFERENCE_PATH = join(import.meta.dir, "../docs/configuration.md");

export async function builtinReference(): Promise<string> {
  const documented: DocumentedProgram[] = [];
  for (const name of programs.names()) {
    const definition = await programs.load(name);
    documented.push({ name, description: definition.description ?? "", schema: definition.configSchema });
  }
  return configReference(documented);
}

if (import.meta.main) {
  const text = await builtinReference();
  if (process.argv.includes("--check")) {
    const current = existsSync(REFERENCE_PATH) ? readFileSync(REFERENCE_PATH, "utf8") : "";
    if (current !== text) {
      process.stderr.write(`${REFERENCE_PATH} is out of date: run \`bun scripts/config-docs.ts\`\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(REFERENCE_PATH, text);
    process.stdout.write(`Wrote ${REFERENCE_PATH}\n`);
  }
}
