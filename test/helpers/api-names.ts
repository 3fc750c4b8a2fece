/**
 * @module The names the program API exports, as `namespace.name` (or a top-level name alone):
 * what docs/program-api.md must document and what the built-in programs may import.
 */
import { programApi } from "../../src/programs/api.ts";

/** Top-level entries that are values in themselves, not namespaces (zod is one name). */
const LEAVES = new Set(["z", "apiVersions", "defineProgram"]);

/** Every exported name: `defineProgram`, `z`, …, then `templates.basic`, `models.OnnxModel`, … */
export function apiNames(): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(programApi)) {
    if (LEAVES.has(key) || value === null || typeof value !== "object") names.push(key);
    else for (const name of Object.keys(value)) names.push(`${key}.${name}`);
  }
  return names;
}

/** The API's namespaces (its top-level keys that hold names). */
export function apiNamespaces(): string[] {
  return Object.keys(programApi).filter((key) => !LEAVES.has(key));
}

/** The value behind `namespace.name` (or a top-level name). */
export function apiValue(path: string): unknown {
  let value: unknown = programApi;
  for (const part of path.split(".")) value = value === null || value === undefined ? undefined : (value as Record<string, unknown>)[part];
  return value;
}
