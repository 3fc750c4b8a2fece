/**
 * @module Finding a program: a built-in one by name or by acoupi's module alias (compiled into
 * the binary, loaded lazily so `--help` loads none of them), or an external `.ts`/`.js` file
 * loaded at run time. An external file default-exports a program, or a function that receives
 * the program API and returns one, so it needs nothing installed beside the binary.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ProgramNotFoundError } from "../errors.ts";
import type { ProgramDefinition } from "./types.ts";

type Loader = () => Promise<{ default: ProgramDefinition }>;

const BUILTIN: Record<string, { loader: Loader; aliases: string[] }> = {
  test: { loader: () => import("../../programs/test.ts") as Promise<{ default: ProgramDefinition }>, aliases: ["acoupi.programs.test"] },
  default: { loader: () => import("../../programs/default.ts") as Promise<{ default: ProgramDefinition }>, aliases: ["acoupi.programs.default"] },
  connected: { loader: () => import("../../programs/connected.ts") as Promise<{ default: ProgramDefinition }>, aliases: ["acoupi.programs.connected"] },
  detection: { loader: () => import("../../programs/detection.ts") as Promise<{ default: ProgramDefinition }>, aliases: [] },
  birdnet: { loader: () => import("../../programs/birdnet.ts") as Promise<{ default: ProgramDefinition }>, aliases: ["acoupi_birdnet.program"] },
};

export function registerBuiltin(name: string, loader: Loader, aliases: string[] = []): void {
  BUILTIN[name] = { loader, aliases };
}

export function builtinProgramNames(): string[] {
  return Object.keys(BUILTIN);
}

function isPath(name: string): boolean {
  return /\.(ts|js|mjs|mts)$/.test(name) || name.includes("/");
}

/** The canonical name stored in config/name: the built-in name, or the absolute file path. */
export function canonicalProgramName(name: string): string {
  if (isPath(name)) return resolve(name);
  for (const [key, entry] of Object.entries(BUILTIN)) if (key === name || entry.aliases.includes(name)) return key;
  throw new ProgramNotFoundError(name, builtinProgramNames());
}

export async function loadProgram(name: string): Promise<ProgramDefinition> {
  const canonical = canonicalProgramName(name);
  const builtin = BUILTIN[canonical];
  if (builtin) return (await builtin.loader()).default;
  if (!existsSync(canonical)) {
    throw new ProgramNotFoundError(name, builtinProgramNames(), { help: `File ${canonical} does not exist. Built-in programs: ${builtinProgramNames().join(", ")}` });
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(canonical)) as Record<string, unknown>;
  } catch (cause) {
    throw new ProgramNotFoundError(name, builtinProgramNames(), { cause, help: `Loading ${canonical} failed: ${(cause as Error).message}` });
  }
  const exported = module.default ?? module.program;
  const { programApi } = await import("./api.ts");
  const definition = typeof exported === "function" ? await (exported as (api: unknown) => unknown)(programApi) : exported;
  if (!isProgramDefinition(definition)) {
    throw new ProgramNotFoundError(name, builtinProgramNames(), {
      help: `${canonical} must default-export defineProgram({...}) or a function (api) => api.defineProgram({...})`,
    });
  }
  return definition;
}

function isProgramDefinition(value: unknown): value is ProgramDefinition {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === "string" && typeof v.setup === "function" && typeof v.configSchema === "object";
}
