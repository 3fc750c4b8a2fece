/**
 * @module Finding a program: a built-in one by name or by acoupi's module alias (the list is
 * given by the caller, see programs/index.ts), or an external `.ts`/`.js` file loaded at run
 * time. An external file default-exports a program, or a function that receives the program
 * API (src/programs/api.ts: templates, components, zod, markers) and returns one, so it needs
 * nothing installed beside the binary. Loading a file has a deadline (`PROGRAM_LOAD_DEADLINE_MS`,
 * 10 s): a file whose top-level code waits for ever fails with a ProgramLoadTimeoutError instead
 * of hanging `acoupi run` (a service that never records) or `acoupi stop` (a stop that never stops).
 * A file that does not parse, imports what is missing, throws, or declares a program API version
 * this binary does not serve is refused with a ProgramFileError naming the file and line.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ProgramFileError, ProgramLoadTimeoutError, ProgramNotFoundError } from "../errors.ts";
import { DEFAULT_API_VERSION, PROGRAM_API_VERSIONS } from "./api-version.ts";
import { blame, fileProgramName, loadError, markProgramFile } from "./program-file-errors.ts";
import type { ProgramDefinition } from "./types.ts";

type Loader = () => Promise<{ default: ProgramDefinition }>;

/** Built-in programs by name: a lazy loader and the other names each answers to. */
export type BuiltinPrograms = Record<string, { loader: Loader; aliases: readonly string[] }>;

/** Finds programs among the built-ins or as files; the CLI makes one from programs/index.ts. */
export interface ProgramRegistry {
  names(): string[];
  /** The canonical name stored in config/name: the built-in name, or the absolute file path. */
  canonical(name: string): string;
  load(name: string): Promise<ProgramDefinition>;
}

/** How long loading a program file may take. */
export const PROGRAM_LOAD_DEADLINE_MS = 10_000;

/** `loading`, or a ProgramLoadTimeoutError once the deadline passes (the load itself is abandoned). */
async function withLoadDeadline<T>(path: string, loading: Promise<T>): Promise<T> {
  const ms = PROGRAM_LOAD_DEADLINE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProgramLoadTimeoutError(path, ms / 1000)), ms);
  });
  try {
    return await Promise.race([loading, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function isPath(name: string): boolean {
  return /\.(ts|js|mjs|mts)$/.test(name) || name.includes("/");
}

export function programRegistry(builtins: BuiltinPrograms): ProgramRegistry {
  const names = () => Object.keys(builtins);
  const canonical = (name: string): string => {
    if (isPath(name)) return resolve(name);
    // Program names are matched regardless of case (`BirdNET` is `birdnet`).
    const lower = name.toLowerCase();
    for (const [key, entry] of Object.entries(builtins)) if (key.toLowerCase() === lower || entry.aliases.some((a) => a.toLowerCase() === lower)) return key;
    throw new ProgramNotFoundError(name, names());
  };
  return {
    names,
    canonical,
    async load(name) {
      const key = canonical(name);
      const builtin = builtins[key];
      return builtin ? (await builtin.loader()).default : withLoadDeadline(key, loadProgramFile(name, key, names()));
    },
  };
}

/** Loads an external program file, handing a default-exported function the program API. */
async function loadProgramFile(name: string, path: string, builtins: string[]): Promise<ProgramDefinition> {
  if (!existsSync(path)) {
    throw new ProgramNotFoundError(name, builtins, { help: `File ${path} does not exist. Built-in programs: ${builtins.join(", ")}` });
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(path)) as Record<string, unknown>;
  } catch (cause) {
    throw loadError(cause, path);
  }
  const exported = module.default ?? module.program;
  let definition: unknown = exported;
  if (typeof exported === "function") {
    const { programApi } = await import("./api.ts");
    try {
      definition = await (exported as (api: unknown) => unknown)(programApi);
    } catch (error) {
      throw blame(error, path, fileProgramName(path), "its default-exported function");
    }
  }
  if (!isProgramDefinition(definition)) {
    throw new ProgramFileError(`Program file ${path} defines no program`, {
      file: path,
      line: 0,
      program: fileProgramName(path),
      help: `${path} must default-export a function (api) => api.defineProgram({ apiVersion: 1, name, configSchema, setup }) (docs/program-api.md)`,
    });
  }
  checkApiVersion(definition, path);
  markProgramFile(definition, path);
  return definition;
}

/** Refuses a program file written against a program API version this binary does not serve. */
function checkApiVersion(definition: ProgramDefinition, path: string): void {
  const declared = definition.apiVersion ?? DEFAULT_API_VERSION;
  if (PROGRAM_API_VERSIONS.includes(declared)) return;
  const served = PROGRAM_API_VERSIONS.join(", ");
  const newer = declared > Math.max(...PROGRAM_API_VERSIONS);
  throw new ProgramFileError(
    `Program "${definition.name}" (${path}) declares program API version ${String(declared)}; this acoupi serves version ${served}`,
    {
      file: path,
      line: 0,
      program: definition.name,
      help: newer
        ? `Install an acoupi that serves version ${String(declared)} (\`acoupi self-update\`), or write the program against version ${served} (docs/program-api.md)`
        : `Port the program to version ${served} and set \`apiVersion: ${PROGRAM_API_VERSIONS.at(-1)}\` (docs/program-api.md lists what changed)`,
    },
  );
}
function isProgramDefinition(value: unknown): value is ProgramDefinition {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === "string" && typeof v.setup === "function" && typeof v.configSchema === "object";
}
