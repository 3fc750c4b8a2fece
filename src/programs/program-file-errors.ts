/**
 * @module Errors in a user's program file are the user's, with a line. The registry marks each
 * definition it loaded from a file (`markProgramFile`); loading turns Bun's syntax errors
 * (BuildMessage, with a position) and missing imports (ResolveMessage, with the specifier) into a
 * ProgramFileError naming the file and line; `instantiateProgram` runs the file's `setup`,
 * `check`, hooks and tasks through `blame`, which does the same for what they throw. Only a throw
 * with a stack frame in the file (or a thrown non-Error, which only user code throws) is blamed on
 * it: an AcoupiError already says what to do, and any other error is acoupi's bug and stays one.
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { AcoupiError, ProgramFileError } from "../errors.ts";

const files = new WeakMap<object, string>();

/** Records that `definition` came from the program file `file` (an absolute path). */
export function markProgramFile(definition: object, file: string): void {
  files.set(definition, file);
}

/** The program file a definition was loaded from, or undefined for a built-in program. */
export function programFileOf(definition: object): string | undefined {
  return files.get(definition);
}

/** The program's name as the file alone gives it, before the file defined one. */
export function fileProgramName(file: string): string {
  return basename(file, extname(file));
}

/** Where the first frame of `error`'s stack in `file` is, or null when none is. */
export function frameIn(error: unknown, file: string): { line: number; column: number } | null {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  for (const text of stack.split("\n")) {
    const at = text.indexOf(`${file}:`);
    if (at < 0) continue;
    const match = /^:(\d+):(\d+)/.exec(text.slice(at + file.length));
    if (match) return { line: Number(match[1]), column: Number(match[2]) };
  }
  return null;
}

interface Position {
  file: string;
  line: number;
  column: number;
  lineText: string;
}

/** Bun's BuildMessage (a syntax error) carries its position; an AggregateError carries several. */
function buildPosition(cause: unknown): { message: string; position: Position } | null {
  if (cause === null || typeof cause !== "object") return null;
  const record = cause as { message?: unknown; position?: unknown; errors?: unknown };
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const found = buildPosition(inner);
      if (found) return found;
    }
  }
  const position = record.position as Partial<Position> | null | undefined;
  if (position && typeof position.file === "string" && typeof position.line === "number") {
    return {
      message: String(record.message),
      position: { file: position.file, line: position.line, column: position.column ?? 0, lineText: position.lineText ?? "" },
    };
  }
  return null;
}

/** The line of `file` that imports `specifier`, or 0. */
function importLine(file: string, specifier: string): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return 0; // The file went away since the import failed: the message still names it.
  }
  const lines = text.split("\n");
  const quoted = [`"${specifier}"`, `'${specifier}'`, `\`${specifier}\``];
  const index = lines.findIndex((line) => quoted.some((q) => line.includes(q)));
  return index + 1;
}

const API_HELP = "Everything acoupi offers a program comes in the `api` its default-exported function receives (docs/program-api.md)";

/** Why importing the program file `file` failed, as a ProgramFileError naming the file and line. */
export function loadError(cause: unknown, file: string): ProgramFileError {
  const program = fileProgramName(file);
  const syntax = buildPosition(cause);
  if (syntax) {
    const { position } = syntax;
    const where = `${position.file}:${position.line}:${position.column}`;
    const shown = position.lineText.trim();
    return new ProgramFileError(`Program file ${where} does not parse: ${syntax.message}`, {
      file: position.file,
      line: position.line,
      program,
      cause,
      help: `Fix line ${position.line} of ${position.file}${shown ? ` (\`${shown}\`)` : ""}, then run \`acoupi check\``,
    });
  }
  const record = cause !== null && typeof cause === "object" ? (cause as { specifier?: unknown; referrer?: unknown }) : {};
  if (typeof record.specifier === "string") {
    const referrer = typeof record.referrer === "string" && record.referrer !== "" ? record.referrer : file;
    const line = importLine(referrer, record.specifier);
    return new ProgramFileError(`Program file ${referrer}${line > 0 ? `:${line}` : ""} imports "${record.specifier}", which cannot be found`, {
      file: referrer,
      line,
      program,
      cause,
      help: `A program file can import node: modules and files that exist beside it. ${API_HELP}`,
    });
  }
  const frame = frameIn(cause, file);
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ProgramFileError(`Program file ${file}${frame ? `:${frame.line}` : ""} threw while loading: ${message}`, {
    file,
    line: frame?.line ?? 0,
    program,
    cause,
    help: `${frame ? `See line ${frame.line} of ${file}` : `See ${file}`}; run with --verbose for the stack`,
  });
}

/**
 * `error`, thrown while the program `program` of file `file` ran its `phase` (setup, check, a task
 * …), as a ProgramFileError naming the file and line when the error is the file's; else unchanged.
 */
export function blame(error: unknown, file: string, program: string, phase: string): unknown {
  if (error instanceof AcoupiError) return error;
  const frame = frameIn(error, file);
  if (frame === null && error instanceof Error) return error;
  const message = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
  const where = frame ? `${file}:${frame.line}` : file;
  return new ProgramFileError(`Program "${program}" (${where}) threw in ${phase}: ${message}`, {
    file,
    line: frame?.line ?? 0,
    program,
    cause: error,
    help: `This error is in the program file, not in acoupi: ${frame ? `see line ${frame.line} of ${file}` : `see ${file}`}; run with --verbose for the stack`,
  });
}
