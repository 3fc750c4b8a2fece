/**
 * @module `acoupi check`: instantiates the program and runs its health checks (device capture,
 * model load, broker login, …). It says "Health checks passed" only when every check passed.
 */
import { defineCommand } from "citty";
import { instantiateProgram } from "../../programs/define-program.ts";
import { loadConfigured, programDeps } from "../load-program.ts";

export default defineCommand({
  meta: { name: "check", description: "Run the program's health checks" },
  async run() {
    const { paths, definition, config } = await loadConfigured();
    process.stdout.write("Running health checks...\n");
    const program = await instantiateProgram(definition, config, programDeps(paths, "check"));
    try {
      await program.check();
    } finally {
      await program.close();
    }
    process.stdout.write("Health checks passed\n");
  },
});
