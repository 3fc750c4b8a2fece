/**
 * @module Which files are ours to adopt or delete: regular files reached from a data root
 * (`paths.recordings`, `paths.tmp_audio`) through real folders only. A symlink, to a file or to a
 * folder, leads out of the root (an archive, another disk) and is never followed: reconcile does
 * not adopt what lies behind it and retention never deletes through it. Checks use `lstat` on
 * each step, with the folders seen cached for one pass, so a plan over thousands of recordings
 * costs one `lstat` per file and per folder.
 */
import { existsSync, lstatSync, readdirSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

/** Every regular file under `dir` whose name ends with `suffix`, through real folders only. */
export function ownFilesUnder(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(suffix)) out.push(path);
    }
  };
  if (existsSync(dir) && lstatSync(dir).isDirectory()) walk(dir);
  return out;
}

/** What a path is to retention: one of our files, nothing any more, or somebody else's. */
export type Ownership = "own" | "gone" | "foreign";

/**
 * A checker of paths under `roots`: "own" for a regular file (not a symlink) whose every folder
 * between a root and it is a real folder, "gone" when nothing is there, "foreign" for anything
 * else (outside every root, a symlink, a symlink on the way). Folder verdicts are cached for the
 * checker's life: make one per pass.
 */
export function ownFileChecker(roots: readonly string[]): (path: string) => Ownership {
  const bases = roots.map((root) => resolve(root));
  const folders = new Map<string, boolean>();
  const realFolder = (folder: string, base: string): boolean => {
    if (folder === base) return true;
    const known = folders.get(folder);
    if (known !== undefined) return known;
    let verdict = false;
    try {
      verdict = lstatSync(folder).isDirectory() && realFolder(dirname(folder), base);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    folders.set(folder, verdict);
    return verdict;
  };
  return (path: string) => {
    const file = resolve(path);
    let isFile: boolean;
    try {
      isFile = lstatSync(file).isFile();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return "gone";
      throw error;
    }
    const base = bases.find((b) => file.startsWith(b + sep));
    return base !== undefined && isFile && realFolder(dirname(file), base) ? "own" : "foreign";
  };
}
