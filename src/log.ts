/**
 * @module The one consola instance, and `logger(tag)` for components. Every event is one line
 * with no glyphs or colour: `2026-03-01T10:00:00.123Z warn [tag] message`, with an ISO 8601 UTC
 * timestamp, so a log read months later (or by grep) is unambiguous. An Error argument shows its
 * message; its stack only with `--verbose` (or ACOUPI_VERBOSE=1), folded onto the same line.
 * Under systemd (JOURNAL_STREAM set) lines carry journald's `<N>` priority prefix instead of a
 * timestamp, so `journalctl -p warning` works. The runner adds a rotating log file
 * (`logToFile`). Log lines never carry secrets: callers log config through `maskSecrets`
 * (src/config/secrets.ts), never raw.
 */
import { fstatSync } from "node:fs";
import type { ConsolaInstance, ConsolaReporter, LogObject } from "consola";
// consola/basic: the same createConsola without the fancy reporter (about 8 MiB less RSS); we bring our own reporter.
import { createConsola } from "consola/basic";
import type { RotatingLogFile } from "./system/log-file.ts";

const LEVELS: Record<string, number> = { silent: -999, error: 0, warn: 1, info: 3, debug: 4, trace: 5 };

function levelFromEnv(): number {
  const name = (process.env.ACOUPI_LOG_LEVEL ?? "info").toLowerCase();
  return LEVELS[name] ?? 3;
}

function verbose(): boolean {
  return process.argv.includes("--verbose") || process.env.ACOUPI_VERBOSE === "1";
}

/** consola's level numbers (0 error … 5 trace) as syslog priorities for journald. */
function journalPriority(level: number): number {
  if (level <= 0) return 3;
  if (level === 1) return 4;
  if (level <= 3) return 6;
  return 7;
}

function levelName(entry: LogObject): string {
  if (entry.level <= 0) return "error";
  if (entry.level === 1) return "warn";
  if (entry.level <= 3) return "info";
  return entry.level === 4 ? "debug" : "trace";
}

function argText(arg: unknown, withStack: boolean): string {
  if (arg instanceof Error) {
    const base = withStack && arg.stack ? arg.stack : `${arg.name === "Error" ? "" : `${arg.name}: `}${arg.message}`;
    const cause = arg.cause === undefined ? "" : ` (caused by: ${argText(arg.cause, withStack)})`;
    return base + cause;
  }
  if (typeof arg === "string") return arg;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch (error) {
    return `${String(arg)} (not serialisable: ${(error as Error).message})`;
  }
}

/** The message of one event on one line: newlines (a stack, a multi-line error) become " | ". */
export function eventText(entry: Pick<LogObject, "args" | "tag">, withStack = verbose()): string {
  const text = entry.args.map((a) => argText(a, withStack)).join(" ").replace(/\s*\r?\n\s*/g, " | ").trim();
  return entry.tag ? `[${entry.tag}] ${text}` : text;
}

/** One log line as the file and a terminal get it. */
export function formatLine(entry: LogObject): string {
  return `${entry.date.toISOString()} ${levelName(entry)} ${eventText(entry)}`;
}

/** One log line as journald reads it from a service's stream. */
export function formatJournalLine(entry: LogObject): string {
  return `<${journalPriority(entry.level)}>${eventText(entry)}`;
}

let journald: boolean | undefined;

/**
 * True when stderr is the journal stream systemd gave this process: JOURNAL_STREAM names its
 * `device:inode`, as systemd.exec(5) says to check (a child whose stderr was redirected inherits
 * the variable, but not the stream).
 */
function underJournald(): boolean {
  if (journald !== undefined) return journald;
  const stream = process.env.JOURNAL_STREAM ?? "";
  if (stream === "") return (journald = false);
  try {
    const stat = fstatSync(2);
    journald = `${stat.dev}:${stat.ino}` === stream;
  } catch (error) {
    journald = false;
    process.stderr.write(`Cannot tell whether stderr is the journal (${(error as Error).message}); logging plain lines\n`);
  }
  return journald;
}

let file: RotatingLogFile | null = null;

const reporter: ConsolaReporter = {
  log(entry) {
    if (underJournald()) {
      process.stderr.write(`${formatJournalLine(entry)}\n`);
      return;
    }
    const line = formatLine(entry);
    file?.write(line);
    // A runner started in the background logs to its file only (ACOUPI_LOG_STDERR=0).
    if (file === null || process.env.ACOUPI_LOG_STDERR !== "0") process.stderr.write(`${line}\n`);
  },
};

export const log: ConsolaInstance = createConsola({ level: levelFromEnv(), reporters: [reporter] });

/** A logger whose lines are tagged with the component or task name. */
export function logger(tag: string): ConsolaInstance {
  return log.withTag(tag);
}

/**
 * Also writes every line to `logFile` (the runner's `log/acoupi.log`), unless journald already
 * keeps the log. Returns whether the file is used.
 */
export function logToFile(logFile: () => RotatingLogFile): boolean {
  if (underJournald()) return false;
  file ??= logFile();
  return true;
}
