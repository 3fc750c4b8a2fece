/**
 * @module idFileManager: files a recording as `<directory>/<recording id>.wav` (acoupi's
 * IDFileManager). Ids are UUIDs, so names never collide and never hold a path separator.
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { expandPath } from "../../config/types.ts";
import { sanitizeFileName } from "./_sanitize.ts";
import type { FileManager } from "./types.ts";

export const IdFileManagerSchema = z.object({
  directory: z.string().min(1).transform(expandPath).describe("Folder that kept recordings are saved in, named by id"),
});
export type IdFileManagerConfig = z.output<typeof IdFileManagerSchema>;

export function idFileManager(config: { directory: string }): FileManager {
  const directory = resolve(expandPath(config.directory));
  return (recording) => join(directory, sanitizeFileName(`${recording.id}.wav`));
}
