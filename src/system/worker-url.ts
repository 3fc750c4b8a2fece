/**
 * @module Where a Worker script is, under `bun run` and in a compiled binary. Under `bun run` it
 * sits beside the module that starts it. In a compiled binary every bundled module reports the
 * binary's own URL, and an extra entry point keeps its path relative to the entry points' common
 * folder (e.g. `/$bunfs/root/components/models/model-worker.js`), so it is looked up in the
 * embedded file system by its file name. build.ts lists every Worker file as an entry point.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const BUNFS_ROOT = "/$bunfs/root";

function findFile(dir: string, name: string, depth: number): string | null {
  if (depth < 0 || !existsSync(dir)) return null;
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const entry of entries) if (entry.isFile() && entry.name === name) return join(dir, name);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const found = findFile(join(dir, entry.name), name, depth - 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The URL or path of Worker script `fileName` (a `.ts` file beside `besideUrl`, the caller's
 * `import.meta.url`), or null when a compiled binary does not embed it.
 */
export function workerUrl(fileName: string, besideUrl: string): string | null {
  if (!besideUrl.startsWith(`file://${BUNFS_ROOT}/`)) return new URL(`./${fileName}`, besideUrl).href;
  return findFile(BUNFS_ROOT, fileName.replace(/\.ts$/, ".js"), 6);
}
