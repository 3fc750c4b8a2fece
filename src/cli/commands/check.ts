/**
 * @module `acoupi check`: tests the configured folders, instantiates the program and runs its
 * health checks, printing what each one saw: the folders and their free space, the device
 * opened with the rate and channels granted and the level captured, the model's shapes, the
 * broker or endpoint reached. A warning (a flat, silent capture) does not fail the check unless
 * `--strict`. It says "Health checks passed" only when every check passed.
 */
import { defineCommand } from "citty";
import { preparePaths, type PathReport } from "../../config/prepare-paths.ts";
import type { CheckReport } from "../../data/index.ts";
import { HealthCheckError } from "../../errors.ts";
import { instantiateProgram } from "../../programs/define-program.ts";
import { loadConfigured, programDeps, type Configured } from "../load-program.ts";

function megabytes(bytes: number): string {
  return `${Math.floor(bytes / 1e6).toLocaleString("en-GB")} MB`;
}

export function pathLines(paths: readonly PathReport[]): string[] {
  return paths.map((p) => `${p.key}: ${p.folder} is writable, ${megabytes(p.freeBytes)} free`);
}

/** Runs the folder test and the program's checks; returns the lines and warnings seen. */
export async function runHealthChecks(configured: Configured, options: { networkWarns?: boolean } = {}): Promise<{ lines: string[]; warnings: string[] }> {
  const { paths, definition, config } = configured;
  const lines = pathLines(preparePaths(definition.configSchema, config));
  const program = await instantiateProgram(definition, config, programDeps(paths, "check"));
  let reports: CheckReport[];
  try {
    reports = await program.check(options);
  } finally {
    await program.close();
  }
  return { lines: [...lines, ...reports.flatMap((r) => r.lines)], warnings: reports.flatMap((r) => r.warnings) };
}

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
