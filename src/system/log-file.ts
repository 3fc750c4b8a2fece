/**
 * @module A log file with size-capped rotation: lines are appended to `acoupi.log`; when the next
 * line would take it past `maxBytes`, `acoupi.log.(N-1)` becomes `.N` (the oldest is dropped), …,
 * `acoupi.log` becomes `.1`, and a new file starts. So a runner that logs for months keeps at most
 * (files + 1) × maxBytes on the SD card. Writes are synchronous appends: a line is on disk (in the
 * page cache) before the call returns, and nothing is lost to a buffer on a crash.
 *
 * `runner-output.log` (a background runner's stdout and stderr, what bypasses the logger) is kept
 * to the same bounds by `outputFileCap`: the runner checks it at each status write and rotates it
 * by copy and truncate, since the file is its own open stdout.
 */
import { closeSync, copyFileSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readlinkSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname } from "node:path";

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

/**
 * When this process's stdout is `runner-output.log` (a runner started in the background), returns
 * a check that rotates it once it passes `maxBytes`: `.N-1` → `.N` …, a copy to `.1`, then the
 * open file is truncated (it was opened for appending, so writes go on at its new end). Lines
 * written between the copy and the truncation are lost: the file only holds what bypassed the
 * logger. Returns null when stdout is anything else (a terminal, journald, a file of the caller's).
 */
export function outputFileCap(options: LogFileOptions = {}): (() => void) | null {
  let path: string;
  try {
    path = readlinkSync("/proc/self/fd/1");
  } catch (error) {
    // No /proc (or no fd 1): nothing to cap.
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "EBADF") return null;
    throw error;
  }
  if (basename(path) !== OUTPUT_FILE) return null;
  const maxBytes = options.maxBytes ?? positiveFromEnv("ACOUPI_LOG_MAX_BYTES", DEFAULT_LOG_MAX_BYTES);
  const files = options.files ?? positiveFromEnv("ACOUPI_LOG_FILES", DEFAULT_LOG_FILES);
  return () => {
    if (fstatSync(1).size <= maxBytes) return;
    rmSync(`${path}.${files}`, { force: true });
    for (let i = files - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    copyFileSync(path, `${path}.1`);
    ftruncateSync(1, 0);
  };
}
