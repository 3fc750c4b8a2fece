/**
 * @module idFileManager: files a recording as `<directory>/<recording id>.wav` (acoupi's
 * IDFileManager). Ids are UUIDs, so names never collide and never hold a path separator.
 */
import { join, resolve } from "node:path";
import { expandPath } from "../../config/types.ts";
import { sanitizeFileName } from "./_sanitize.ts";
import type { FileManager } from "./types.ts";

export function idFileManager(config: { directory: string }): FileManager {
  const directory = resolve(expandPath(config.directory));
  return (recording) => join(directory, sanitizeFileName(`${recording.id}.wav`));
}
