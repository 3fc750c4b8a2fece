/**
 * @module dateFileManager: files a recording under `<directory>/<YYYY>/<MM>/<DD>/<name>`, the
 * date being its UTC start with zero-padded folder names (`2023/04/15`), so that they sort in
 * `ls` and file browsers. acoupi's DateFileManager (and earlier versions) did not pad
 * (`2023/4/15`); that layout is still found when a crash left a file there. The name comes from a template, by default
 * `{created_on:%Y%m%d_%H%M%S}_{id}.wav`; acoupi's `{recording.…}` form works too. Each of
 * `< > : " / \ | ? *` in the rendered name becomes `_`, so no value can create a directory.
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { expandPath } from "../../config/types.ts";
import { compileFileNameTemplate } from "./_filename-template.ts";
import { sanitizeFileName } from "./_sanitize.ts";
import type { FileManager } from "./types.ts";

export const DEFAULT_FILENAME_TEMPLATE = "{created_on:%Y%m%d_%H%M%S}_{id}.wav";

/** The manager's config; `file_management.filename_template` composes its template field. */
export const DateFileManagerSchema = z.object({
  directory: z.string().min(1).transform(expandPath).describe("Folder that kept recordings are filed under, by date"),
  filename_template: z
    .string()
    .min(1)
    .default(DEFAULT_FILENAME_TEMPLATE)
    .describe("File name: fields such as {created_on:%Y%m%d_%H%M%S}, {id}, {deployment.name}, {device.id}"),
});

export interface DateFileManagerOptions {
  directory: string;
  filename_template?: string;
  /** The value of `{device.id}` in templates; without it that field is refused. */
  device_id?: string;
}

/** Throws ConfigError when the template names an unknown field or time directive. */
export function dateFileManager(config: DateFileManagerOptions): FileManager {
  const directory = resolve(expandPath(config.directory));
  const render = compileFileNameTemplate(config.filename_template ?? DEFAULT_FILENAME_TEMPLATE, config.device_id);
  const manager: FileManager = (recording) => {
    const date = recording.created_on;
    const day = [String(date.getUTCFullYear()), pad(date.getUTCMonth() + 1), pad(date.getUTCDate())];
    return join(directory, ...day, sanitizeFileName(render(recording)));
  };
  manager.previousPaths = (path) => {
    const unpadded = unpaddedDatePath(path);
    return unpadded === path ? [] : [unpadded];
  };
  return manager;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `…/2023/04/05/name` as acoupi 0.6 filed it: `…/2023/4/5/name`. */
export function unpaddedDatePath(path: string): string {
  return path.replace(/\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)$/, (_all, y: string, m: string, d: string, name: string) => `/${y}/${Number(m)}/${Number(d)}/${name}`);
}
