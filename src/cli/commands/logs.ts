/**
 * @module `acoupi logs [-n N] [-f]`: the runner's log. Where the systemd service runs acoupi,
 * journald keeps the log, and this runs `journalctl -u acoupi` for it; otherwise it prints the last
 * N lines of `$ACOUPI_HOME/log/acoupi.log` (reaching into the rotated `.1` when the current file is
 * short) and, with `-f`, follows it across rotations until Ctrl-C. Log lines carry text from
 * endpoints and devices: their control characters are printed as escapes (terminal-text.ts).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { ConfigError } from "../../errors.ts";
import { LOG_FILE } from "../../system/log-file.ts";
import { acoupiPaths } from "../../system/paths.ts";
import { installedUnit, systemdAvailable } from "../../system/systemd/service.ts";
import { terminalSafe } from "../terminal-text.ts";

const FOLLOW_POLL_MS = 250;

function parseCount(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`Invalid -n "${raw}": expected a whole number of lines`, { help: "For example `acoupi logs -n 100`" });
  return n;
}

/** The last `n` lines of the log, older rotated files first. */
export function lastLines(path: string, n: number): string[] {
  const lines: string[] = [];
  for (const file of [path, `${path}.1`]) {
    if (lines.length >= n || !existsSync(file)) break;
    const text = readFileSync(file, "utf8");
    const fileLines = text.split("\n").filter((l) => l !== "");
    lines.unshift(...fileLines.slice(Math.max(0, fileLines.length - (n - lines.length))));
  }
  return lines.slice(Math.max(0, lines.length - n));
}

/** Prints what is appended to `path`, reopening it when it is rotated (a new inode, or shorter). */
async function follow(path: string): Promise<never> {
  let ino = existsSync(path) ? statSync(path).ino : -1;
  let offset = existsSync(path) ? statSync(path).size : 0;
  const decoder = new TextDecoder();
  for (;;) {
    await Bun.sleep(FOLLOW_POLL_MS);
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.ino !== ino || stat.size < offset) {
      ino = stat.ino;
      offset = 0;
    }
    if (stat.size === offset) continue;
    const fd = openSync(path, "r");
    try {
      const buffer = Buffer.alloc(stat.size - offset);
      const read = readSync(fd, buffer, 0, buffer.byteLength, offset);
      offset += read;
      process.stdout.write(terminalSafe(decoder.decode(buffer.subarray(0, read), { stream: true })));
    } finally {
      closeSync(fd);
    }
  }
}

export default defineCommand({
  meta: { name: "logs", description: "Show the runner's log: `acoupi logs -n 100`, `acoupi logs -f` to follow" },
  args: {
    lines: { type: "string", alias: "n", description: "How many of the last lines to show", default: "50" },
    follow: { type: "boolean", alias: "f", description: "Keep printing new lines until Ctrl-C" },
  },
  async run({ args }) {
    const n = parseCount(args.lines);
    const unit = systemdAvailable() ? installedUnit() : null;
    if (unit !== null && Bun.which("journalctl") !== null) {
      const argv = ["journalctl", ...(unit.scope === "user" ? ["--user"] : []), "-u", "acoupi", "-n", String(n), "--no-pager", ...(args.follow ? ["-f"] : [])];
      process.exitCode = await Bun.spawn(argv, { stdio: ["inherit", "inherit", "inherit"] }).exited;
      return;
    }
    const path = join(acoupiPaths().logDir, LOG_FILE);
    if (!existsSync(path) && !args.follow) {
      process.stderr.write(`No log yet: ${path} does not exist (the runner writes it once it starts)\n`);
      return;
    }
    const lines = lastLines(path, n);
    if (lines.length > 0) process.stdout.write(terminalSafe(`${lines.join("\n")}\n`));
    if (args.follow) await follow(path);
  },
});
