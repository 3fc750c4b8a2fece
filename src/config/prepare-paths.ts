/**
 * @module Making sure the files and folders a config names can be used before anything opens
 * them: each path field (marked by `homePath`) gets its folder created and tested for writing,
 * and its free space measured. An unusable path is a ConfigError naming the key and the path,
 * instead of a raw EACCES from deep inside a template.
 */
import { accessSync, constants, mkdirSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { valueAt } from "./value-at.ts";
import { listFields } from "./walk.ts";

export interface PathReport {
  key: string;
  /** The folder tested: the value itself, or the folder of a file. */
  folder: string;
  freeBytes: number;
}

export function preparePaths(schema: z.ZodType, config: unknown): PathReport[] {
  const reports: PathReport[] = [];
  for (const field of listFields(schema)) {
    const value = valueAt(config, field.path);
    if (!field.meta.path || typeof value !== "string") continue;
    const folder = field.meta.path === "file" ? dirname(value) : value;
    try {
      mkdirSync(folder, { recursive: true });
      accessSync(folder, constants.W_OK);
    } catch (cause) {
      throw new ConfigError(`${field.path} cannot be used: the folder "${folder}" cannot be created or written (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, {
        key: field.path,
        cause,
        help: `Choose a folder acoupi can write with \`acoupi config set ${field.path} <path>\`, or fix the folder's owner and permissions`,
      });
    }
    const stats = statfsSync(folder);
    reports.push({ key: field.path, folder, freeBytes: stats.bavail * stats.bsize });
  }
  return reports;
}
