/**
 * @module `acoupi check`: tests the configured folders, instantiates the program and runs its
 * health checks, printing what each one saw: the folders and their free space, the device
 * opened with the rate and channels granted and the level captured, the model's shapes, the
 * broker or endpoint reached. A warning (a flat, silent capture) does not fail the check unless
 * `--strict`. It says "Health checks passed" only when every check passed.
 */
import { defineCommand } from "citty";
import { HealthCheckError } from "../../errors.ts";
import { runHealthChecks } from "../health-checks.ts";
import { loadConfigured } from "../load-program.ts";

export default defineCommand({
  meta: { name: "check", description: "Run the program's health checks and say what they saw" },
  args: {
    strict: { type: "boolean", description: "Fail on warnings too (e.g. a flat, silent capture)", default: false },
  },
  async run({ args }) {
    const configured = await loadConfigured();
    process.stdout.write("Running health checks...\n");
    const { lines, warnings } = await runHealthChecks(configured);
    for (const line of lines) process.stdout.write(`  ok: ${line}\n`);
    for (const warning of warnings) process.stdout.write(`  warning: ${warning}\n`);
    if (warnings.length > 0 && args.strict) {
      throw new HealthCheckError(`Health checks found ${warnings.length} warning${warnings.length > 1 ? "s" : ""} (--strict): ${warnings[0]}`, {
        help: "Fix the cause, or run `acoupi check` without --strict to accept warnings",
      });
    }
    process.stdout.write(warnings.length > 0 ? `Health checks passed with ${warnings.length} warning${warnings.length > 1 ? "s" : ""}\n` : "Health checks passed\n");
  },
});
