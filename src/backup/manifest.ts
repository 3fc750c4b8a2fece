/**
 * @module The backup's manifest, `SHA256SUMS`, in the format `sha256sum -c` checks: one line per
 * file, the hex digest, two spaces, and the path relative to the backup folder. Paths holding a
 * backslash or a line break use GNU's escaped form (a leading `\`), so every name round-trips.
 * The manifest is written last, under a temp name, so it always describes a complete state.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const MANIFEST = "SHA256SUMS";

/** Relative path → SHA-256 hex, as the last complete backup in `dir` recorded them. */
export function readManifest(dir: string): Map<string, string> {
  const file = join(dir, MANIFEST);
  const sums = new Map<string, string>();
  if (!existsSync(file)) return sums;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^(\\?)([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match === null) continue;
    const name = match[1] === "\\" ? match[3]!.replace(/\\(\\|n|r)/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : "\\")) : match[3]!;
    sums.set(name, match[2]!);
  }
  return sums;
}

/** The manifest text for `sums`, sorted by path. */
export function manifestText(sums: ReadonlyMap<string, string>): string {
  const lines = [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, hash]) => {
    if (!/[\\\n\r]/.test(name)) return `${hash}  ${name}`;
    return `\\${hash}  ${name.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}`;
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
