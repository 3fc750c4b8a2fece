/**
 * @module The one place errors reach the user. An AcoupiError shows its message and help line
 * (and its cause with --verbose); anything else is a bug and is printed whole with its stack.
 */
import { AcoupiError } from "../errors.ts";
import { terminalSafe } from "./terminal-text.ts";

export function isVerbose(argv: readonly string[] = process.argv): boolean {
  return argv.includes("--verbose") || process.env.ACOUPI_VERBOSE === "1";
}

/** Prints the error and returns the exit code to use. */
export function reportError(error: unknown, verbose = isVerbose()): number {
  if (error instanceof AcoupiError) {
    process.stderr.write(terminalSafe(`Error: ${error.message}\n`));
    if (error.help) process.stderr.write(terminalSafe(`Help: ${error.help}\n`));
    if (verbose) {
      process.stderr.write(`${error.stack ?? ""}\n`);
      if (error.cause) process.stderr.write(`Caused by: ${String((error.cause as Error).stack ?? error.cause)}\n`);
    }
    return 1;
  }
  process.stderr.write("acoupi hit an internal error; this is a bug. Please report it with the output below.\n");
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 2;
}
