/**
 * @module A log file with size-capped rotation: lines are appended to `acoupi.log`; when the next
 * line would take it past `maxBytes`, `acoupi.log.(N-1)` becomes `.N` (the oldest is dropped), …,
 * `acoupi.log` becomes `.1`, and a new file starts. So a runner that logs for months keeps at most
 * (files + 1) × maxBytes on the SD card. Writes are synchronous appends: a line is on disk (in the
 * page cache) before the call returns, and nothing is lost to a buffer on a crash.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** The runner's log in `$ACOUPI_HOME/log/` (when journald does not keep it). */
export const LOG_FILE = "acoupi.log";
/** Where a background runner's stdout and stderr go: what did not pass through the logger (a crash). */
export const OUTPUT_FILE = "runner-output.log";
export const DEFAULT_LOG_MAX_BYTES = 5_000_000;
export const DEFAULT_LOG_FILES = 3;

export interface LogFileOptions {
  /** Largest size of the current file before it is rotated; ACOUPI_LOG_MAX_BYTES or 5 MB. */
  maxBytes?: number;
  /** Rotated files kept beside the current one (`.1` … `.N`); ACOUPI_LOG_FILES or 3. */
  files?: number;
}

function positiveFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? "");
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export class RotatingLogFile {
  readonly path: string;
  #maxBytes: number;
  #files: number;
  #fd: number;
  #size: number;

  constructor(path: string, options: LogFileOptions = {}) {
    this.path = path;
    this.#maxBytes = options.maxBytes ?? positiveFromEnv("ACOUPI_LOG_MAX_BYTES", DEFAULT_LOG_MAX_BYTES);
    this.#files = options.files ?? positiveFromEnv("ACOUPI_LOG_FILES", DEFAULT_LOG_FILES);
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, "a", 0o644);
    this.#size = fstatSync(this.#fd).size;
  }

  /** Appends one line (a newline is added). */
  write(line: string): void {
    const bytes = Buffer.from(`${line}\n`, "utf8");
    if (this.#size > 0 && this.#size + bytes.byteLength > this.#maxBytes) this.#rotate();
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(this.#fd, bytes, offset);
    this.#size += bytes.byteLength;
  }

  #rotate(): void {
    closeSync(this.#fd);
    rmSync(`${this.path}.${this.#files}`, { force: true });
    for (let i = this.#files - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.#fd = openSync(this.path, "a", 0o644);
    this.#size = 0;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
