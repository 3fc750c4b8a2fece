/**
 * @module The health checks that `check` and `start` run: the folders of the config (created,
 * tested for writing, free space measured), then the program's own checks, each returning what it
 * saw. `start` passes `networkWarns` so an unreachable broker only warns. `acoupi check` runs
 * them all (`runAllChecks`): a failure is reported and the next check still runs, and the clock
 * is checked too.
 */
import { preparePaths, type PathReport } from "../config/prepare-paths.ts";
import type { CheckReport } from "../data/index.ts";
import { AcoupiError } from "../errors.ts";
import { clockCheck } from "../system/clock-check.ts";
import { instantiateProgram } from "../programs/define-program.ts";
import { programDeps, type Configured } from "../app/load-program.ts";

function megabytes(bytes: number): string {
  return `${Math.floor(bytes / 1e6).toLocaleString("en-GB")} MB`;
}

function pathLines(paths: readonly PathReport[]): string[] {
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


function failed(subject: string, error: unknown): CheckReport {
  if (!(error instanceof AcoupiError)) throw error;
  return { subject, lines: [], warnings: [], failures: [{ message: error.message, ...(error.help ? { help: error.help } : {}) }] };
}

/** Every check, each reported even when an earlier one failed: folders, the program's own, the clock. */
export async function runAllChecks(configured: Configured): Promise<CheckReport[]> {
  const { paths, definition, config } = configured;
  const reports: CheckReport[] = [];
  // libasound's own messages are dropped from here on, the capture Worker's included (symbols.ts).
  const { libasound } = await import("../../native/alsa/symbols.ts");
  try {
    libasound();
  } catch (error) {
    reports.push(failed("libasound", error));
  }
  try {
    for (const p of preparePaths(definition.configSchema, config)) reports.push({ subject: p.key, lines: [`${p.folder} is writable, ${megabytes(p.freeBytes)} free`], warnings: [] });
  } catch (error) {
    reports.push(failed("folders", error));
    // The program opens its databases in those folders: its checks cannot run, and say so.
    reports.push({ subject: "program", lines: [], warnings: ["Not run: the program cannot start without its folders"] }, clockCheck());
    return reports;
  }
  try {
    const program = await instantiateProgram(definition, config, programDeps(paths, "check"));
    try {
      reports.push(...(await program.check({ collect: true })));
    } finally {
      await program.close();
    }
  } catch (error) {
    reports.push(failed("program", error));
  }
  reports.push(clockCheck());
  return reports;
}
