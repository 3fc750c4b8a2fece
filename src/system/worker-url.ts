/**
 * @module Where a Worker's script is, under `bun run` and in the compiled binary alike. Under
 * `bun run` it sits beside the module that starts it. In a compiled binary every bundled module
 * reports the binary's own URL, and an extra entry point (build.ts lists each Worker file) keeps
 * its path relative to the entry points' common folder, so it is looked up by name in the
 * embedded file system.
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

/** The URL of Worker script `file` (e.g. "page-worker.ts") beside the module at `metaUrl`; null when a binary lacks it. */
export function workerUrl(metaUrl: string, file: string): string | null {
  if (!metaUrl.startsWith(`file://${BUNFS_ROOT}/`)) return new URL(`./${file}`, metaUrl).href;
  return findFile(BUNFS_ROOT, file.replace(/\.ts$/, ".js"), 6);
}
