/**
 * @module The health checks that `check` and `start` run: the folders of the config (created,
 * tested for writing, free space measured), then the program's own checks, each returning what it
 * saw. `start` passes `networkWarns` so an unreachable broker only warns.
 */
import { preparePaths, type PathReport } from "../config/prepare-paths.ts";
import type { CheckReport } from "../data/index.ts";
import { instantiateProgram } from "../programs/define-program.ts";
import { programDeps, type Configured } from "./load-program.ts";

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

