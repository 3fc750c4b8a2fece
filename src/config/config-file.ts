/**
 * @module Reading and writing `$ACOUPI_HOME/config/program.json` (pretty JSON, acoupi 0.6's
 * keys) and the program name beside it. Writes are atomic and mode 0600, because the file can
 * hold broker passwords and tokens.
 */
import { existsSync, readFileSync } from "node:fs";
import type { z } from "zod";
import { ConfigError, NotSetUpError } from "../errors.ts";
import { writeFileAtomic } from "../system/atomic-write.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { validateConfig } from "./validate.ts";

export function isSetUp(paths: AcoupiPaths): boolean {
  return existsSync(paths.programName) && existsSync(paths.programJson);
}

export function readProgramName(paths: AcoupiPaths): string {
  if (!existsSync(paths.programName)) throw new NotSetUpError();
  return readFileSync(paths.programName, "utf8").trim();
}

/** Parses a JSON file, naming the file and the position in the error. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`Cannot read ${path}: ${(cause as Error).message}`, { cause, help: "Check the path and its permissions" });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      help: "Fix the file, or run `acoupi setup` again to rewrite it",
    });
  }
}

export function readProgramConfig<S extends z.ZodType>(paths: AcoupiPaths, schema: S): z.output<S> {
  if (!existsSync(paths.programJson)) throw new NotSetUpError();
  return validateConfig(schema, readJsonFile(paths.programJson), { source: paths.programJson });
}

export function serialiseConfig(config: unknown): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function writeProgramConfig(paths: AcoupiPaths, programName: string, config: unknown): void {
  writeFileAtomic(paths.programJson, serialiseConfig(config), 0o600);
  writeFileAtomic(paths.programName, `${programName}\n`, 0o644);
}
