/**
 * @module Reading and writing `$ACOUPI_HOME/config/program.json` (pretty JSON, acoupi 0.6's
 * keys) and the program name beside it. The two files change together through a journal:
 * `config/setup.pending.json` holds the name and the config in one atomically written file, then
 * both files are replaced and the journal removed. A reader that finds a journal finishes it
 * first, so a kill at any instant leaves the old pair or the new pair, never one program's name
 * beside another's config. Writes are mode 0600: the files can hold broker passwords and tokens.
 */
import { existsSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { ConfigError, NotSetUpError } from "../errors.ts";
import { fsyncDir, writeFileAtomic } from "../system/atomic-write.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { readJsonFile } from "../system/json-file.ts";
import { storedPaths } from "./home-paths.ts";
import { validateConfig, type ValidateOptions } from "./validate.ts";

/** The largest config file read (a Pi has little memory; real configs are a few kB). */

export function pendingSetupFile(paths: AcoupiPaths): string {
  return join(paths.configDir, "setup.pending.json");
}

interface PendingSetup {
  program: string;
  config: unknown;
}

function readPending(paths: AcoupiPaths): PendingSetup | null {
  const file = pendingSetupFile(paths);
  if (!existsSync(file)) return null;
  const value = readJsonFile(file) as Partial<PendingSetup> | null;
  if (!value || typeof value.program !== "string" || value.program === "") {
    throw new ConfigError(`${file} is not a setup journal (it has no program name)`, { help: `Remove ${file} and run \`acoupi setup\` again` });
  }
  return { program: value.program, config: value.config };
}

/**
 * The steps of a setup write, in order. Each step is atomic on its own, so a kill at any instant
 * stops the write between two of them; the readers finish any write the journal shows begun.
 */
export function programWriteSteps(paths: AcoupiPaths, programName: string, config: unknown): Array<() => void> {
  const journal = pendingSetupFile(paths);
  return [
    () => writeFileAtomic(journal, `${JSON.stringify({ program: programName, config })}\n`, 0o600),
    () => writeFileAtomic(paths.programJson, serialiseConfig(config), 0o600),
    () => writeFileAtomic(paths.programName, `${programName}\n`, 0o644),
    () => {
      unlinkSync(journal);
      fsyncDir(paths.configDir);
    },
  ];
}

/** Finishes a setup write that a kill interrupted (no-op without a journal). */
export function finishPendingSetup(paths: AcoupiPaths): void {
  const pending = readPending(paths);
  if (!pending) return;
  try {
    for (const step of programWriteSteps(paths, pending.program, pending.config).slice(1)) step();
  } catch (cause) {
    throw new ConfigError(`An interrupted setup of "${pending.program}" cannot be finished: ${(cause as Error).message}`, {
      cause,
      help: `Run acoupi as the user who owns ${paths.configDir}, or run \`acoupi setup\` again`,
    });
  }
}

export function isSetUp(paths: AcoupiPaths): boolean {
  finishPendingSetup(paths);
  return existsSync(paths.programName) && existsSync(paths.programJson);
}

export function readProgramName(paths: AcoupiPaths): string {
  finishPendingSetup(paths);
  if (!existsSync(paths.programName)) throw new NotSetUpError();
  return readFileSync(paths.programName, "utf8").trim();
}

export function readProgramConfig<S extends z.ZodType>(paths: AcoupiPaths, schema: S, options: ValidateOptions = {}): z.output<S> {
  finishPendingSetup(paths);
  if (!existsSync(paths.programJson)) throw new NotSetUpError();
  return validateConfig(schema, readJsonFile(paths.programJson), { source: paths.programJson, ...options });
}

export function serialiseConfig(config: unknown): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Replaces the program name and its config together (see the module comment). With the schema,
 * path fields under `$ACOUPI_HOME` are stored relative to it (home-paths.ts).
 */
export function writeProgramConfig(paths: AcoupiPaths, programName: string, config: unknown, schema?: z.ZodType): void {
  const stored = schema ? storedPaths(schema, config, paths.home) : config;
  for (const step of programWriteSteps(paths, programName, stored)) step();
}
