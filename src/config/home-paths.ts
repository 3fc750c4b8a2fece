/**
 * @module Paths as a config file stores them: a path field (marked by `homePath`/`opened`) under
 * `$ACOUPI_HOME` is written relative to it, any other path absolute. A program.json copied from
 * one sensor to a fleet therefore carries no sensor-specific absolute home paths, and each sensor
 * reads the relative ones under its own home (expandPath). Paths typed at setup are relative to
 * the working directory, as in any shell, and made absolute before this rule applies.
 */
import { isAbsolute, relative, resolve } from "node:path";
import type { z } from "zod";
import { acoupiHome } from "../system/paths.ts";
import { listFields } from "./walk.ts";

/** `path` relative to `home` when it lies under it, else unchanged. */
export function relativeToHome(path: string, home: string = acoupiHome()): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(resolve(home), path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** A copy of `config` with its path fields under `home` made relative to it, for writing. */
export function storedPaths(schema: z.ZodType, config: unknown, home: string = acoupiHome()): unknown {
  const copy = structuredClone(config);
  for (const field of listFields(schema)) {
    if (!field.meta.path) continue;
    const parts = field.path.split(".");
    let parent: unknown = copy;
    for (const part of parts.slice(0, -1)) parent = parent !== null && typeof parent === "object" ? (parent as Record<string, unknown>)[part] : undefined;
    const last = parts[parts.length - 1] as string;
    if (parent === null || typeof parent !== "object") continue;
    const value = (parent as Record<string, unknown>)[last];
    if (typeof value === "string") (parent as Record<string, unknown>)[last] = relativeToHome(value, home);
  }
  return copy;
}
