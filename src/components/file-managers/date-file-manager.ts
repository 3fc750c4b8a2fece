/**
 * @module dateFileManager: files a recording under `<directory>/<Y>/<M>/<D>/<name>`, the date
 * being its UTC start with folder names not zero-padded (`2023/4/15`), as acoupi's
 * DateFileManager does. The name comes from a template, by default
 * `{created_on:%Y%m%d_%H%M%S}_{id}.wav`; acoupi's `{recording.…}` form works too. Each of
 * `< > : " / \ | ? *` in the rendered name becomes `_`, so no value can create a directory.
 */
import { join, resolve } from "node:path";
import { expandPath } from "../../config/types.ts";
import { compileFileNameTemplate } from "./_filename-template.ts";
import { sanitizeFileName } from "./_sanitize.ts";
import type { FileManager } from "./types.ts";

export const DEFAULT_FILENAME_TEMPLATE = "{created_on:%Y%m%d_%H%M%S}_{id}.wav";

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
  return (recording) => {
    const date = recording.created_on;
    const day = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()].map(String);
    return join(directory, ...day, sanitizeFileName(render(recording)));
  };
}
