/**
 * @module The files `acoupi analyze PATH...` works through: each PATH that is a file is taken as
 * given (whatever its extension), and each folder is walked depth first for `.wav` files (any
 * case), in name order within a folder, skipping hidden entries and the output folder. The walk
 * is a generator that holds one folder's names at a time, so a 10,000-file card is never listed
 * in memory; `countWavFiles` walks the same way once more to give the progress bar its total.
 */
import { opendir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AcoupiError } from "../errors.ts";

const WAV_RE = /\.wav$/i;

async function* walkFolder(folder: string, skip: ReadonlySet<string>): AsyncGenerator<string> {
  const files: string[] = [];
  const folders: string[] = [];
  const dir = await opendir(folder);
  for await (const entry of dir) {
    if (entry.name.startsWith(".")) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(path)) folders.push(path);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && WAV_RE.test(entry.name)) files.push(path);
  }
  files.sort();
  folders.sort();
  yield* files;
  for (const sub of folders) yield* walkFolder(sub, skip);
}

/** Every file to analyse under `paths`, as absolute paths; `skip` holds folders never entered. */
export async function* wavFiles(paths: readonly string[], skip: readonly string[] = []): AsyncGenerator<string> {
  const skipped = new Set(skip.map((p) => resolve(p)));
  for (const given of paths) {
    const path = resolve(given);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      throw new AcoupiError("analyze", `Cannot analyse "${given}": ${(error as Error).message}`, { help: "Give WAV files or folders that hold them" });
    }
    if (info.isDirectory()) yield* walkFolder(path, skipped);
    else yield path;
  }
}

/** How many files `wavFiles` yields, without holding them. */
export async function countWavFiles(paths: readonly string[], skip: readonly string[] = []): Promise<number> {
  let count = 0;
  for await (const _ of wavFiles(paths, skip)) count++;
  return count;
}
