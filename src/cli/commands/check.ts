/**
 * @module `acoupi check`: runs every health check, even after one fails, and prints one table:
 * each check passed, warned or failed, with what it saw (the folders and their free space, the
 * device opened with the rate and channels granted and the level captured, the model's shapes,
 * the broker or endpoint reached, the clock). A failure's help line follows it; each error is
 * printed once. Warnings (a flat, silent capture) do not fail the check unless `--strict`.
 */
import { defineCommand } from "citty";
import type { CheckReport } from "../../data/index.ts";
import { HealthCheckError } from "../../errors.ts";
import { runAllChecks } from "../health-checks.ts";
import { loadConfigured } from "../../app/load-program.ts";

type Verdict = "passed" | "warned" | "failed";

interface Row {
  verdict: Verdict;
  subject: string;
  text: string;
  help?: string;
}

export function checkRows(reports: readonly CheckReport[]): Row[] {
  return reports.flatMap((r) => [
    ...r.lines.map((text): Row => ({ verdict: "passed", subject: r.subject, text })),
    ...r.warnings.map((text): Row => ({ verdict: "warned", subject: r.subject, text })),
    ...(r.failures ?? []).map((f): Row => ({ verdict: "failed", subject: r.subject, text: f.message, ...(f.help ? { help: f.help } : {}) })),
  ]);
}

/**
 * The table: verdict and check in aligned columns, then what it saw; a help line under a failure.
 * Failed rows go to stderr, the rest to stdout: on a terminal they read as one table, in order,
 * and a script sees the errors where errors go.
 */
export function printCheckTable(rows: readonly Row[], out: { stdout: (s: string) => void; stderr: (s: string) => void }): void {
  const width = Math.max(5, ...rows.map((r) => r.subject.length));
  out.stdout(`${"RESULT".padEnd(6)}  ${"CHECK".padEnd(width)}  WHAT IT SAW\n`);
  for (const row of rows) {
    let text = `${row.verdict.padEnd(6)}  ${row.subject.padEnd(width)}  ${row.text.replace(/\n/g, `\n${" ".repeat(width + 10)}`)}\n`;
    if (row.help) text += `${" ".repeat(width + 10)}→ ${row.help}\n`;
    (row.verdict === "failed" ? out.stderr : out.stdout)(text);
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export default defineCommand({
  meta: { name: "check", description: "Run every health check and show what each saw" },
  args: {
    strict: { type: "boolean", description: "Fail on warnings too (e.g. a flat, silent capture)", default: false },
  },
  async run({ args }) {
    const configured = await loadConfigured();
    process.stdout.write("Running health checks...\n\n");
    const rows = checkRows(await runAllChecks(configured));
    printCheckTable(rows, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
    const [passed, warned, failed] = [count("passed"), count("warned"), count("failed")];
    process.stdout.write(`\n${passed} passed, ${warned} warned, ${failed} failed\n`);
    if (failed > 0) {
      const which = [...new Set(rows.filter((r) => r.verdict === "failed").map((r) => r.subject))].join(", ");
      throw new HealthCheckError(`Health checks failed (${which}): see the table above`, { help: "Fix each failed check as its line says, then run `acoupi check` again" });
    }
    if (warned > 0 && args.strict) {
      throw new HealthCheckError(`Health checks found ${plural(warned, "warning")} (--strict)`, { help: "Fix the cause, or run `acoupi check` without --strict to accept warnings" });
    }
    process.stdout.write(warned > 0 ? `Health checks passed with ${plural(warned, "warning")}\n` : "Health checks passed\n");
  },
});
