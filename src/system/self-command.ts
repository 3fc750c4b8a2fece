/**
 * @module How to run this same acoupi again as a child: the compiled binary alone, or Bun plus
 * the entry file when running from source.
 */

export function isCompiledBinary(): boolean {
  return import.meta.path.startsWith("/$bunfs/") || (process.argv[1] ?? "").startsWith("/$bunfs/");
}

/** argv prefix that starts acoupi: `[binary]` or `[bun, src/cli/main.ts]`. */
export function selfCommand(): string[] {
  if (isCompiledBinary()) return [process.execPath];
  const entry = process.argv[1];
  return entry ? [process.execPath, entry] : [process.execPath];
}
