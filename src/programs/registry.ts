/**
 * @module Finding a program: a built-in one by name or by acoupi's module alias (the list is
 * given by the caller, see programs/index.ts), or an external `.ts`/`.js` file loaded at run
 * time. An external file default-exports a program, or a function that receives the program
 * API (src/programs/api.ts: templates, components, zod, markers) and returns one, so it needs
 * nothing installed beside the binary. Loading a file has a deadline (`PROGRAM_LOAD_DEADLINE_MS`,
 * 10 s): a file whose top-level code waits for ever fails with a ProgramLoadTimeoutError instead
 * of hanging `acoupi run` (a service that never records) or `acoupi stop` (a stop that never stops).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ProgramLoadTimeoutError, ProgramNotFoundError } from "../errors.ts";
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
    for (const [key, entry] of Object.entries(builtins)) if (key === name || entry.aliases.includes(name)) return key;
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
    throw new ProgramNotFoundError(name, builtins, { cause, help: `Loading ${path} failed: ${(cause as Error).message}` });
  }
  const exported = module.default ?? module.program;
  const { programApi } = await import("./api.ts");
  const definition = typeof exported === "function" ? await (exported as (api: unknown) => unknown)(programApi) : exported;
  if (!isProgramDefinition(definition)) {
    throw new ProgramNotFoundError(name, builtins, {
      help: `${path} must default-export defineProgram({...}) or a function (api) => api.defineProgram({...})`,
    });
  }
  return definition;
}

function isProgramDefinition(value: unknown): value is ProgramDefinition {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === "string" && typeof v.setup === "function" && typeof v.configSchema === "object";
}
