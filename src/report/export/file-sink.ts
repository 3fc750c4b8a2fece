/**
 * @module FileSink: a text file written in bounded memory and published whole. Text is buffered
 * up to 64 KiB and written with writeSync into `<path>.part`; `close()` fsyncs and renames it into
 * place, so a crash or a full disk never leaves a half-written export under the final name, and
 * `abort()` removes the part file. The part file is created exclusively and never through a
 * symlink (O_CREAT | O_EXCL | O_NOFOLLOW): a stale `.part` left by an interrupted export, or a
 * symlink planted under that name, is unlinked first (the link itself, never what it points to),
 * and one that reappears in between is refused. A failed write (a full disk, a file-size limit,
 * an I/O error) removes the part file and throws a StoreError naming the destination.
 */
import { closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { StoreError } from "../../errors.ts";

const FLUSH_AT = 64 * 1024;
const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Unlinks a regular file or symlink at `part` (what an earlier export or someone else left). */
function clearStale(part: string): void {
  let kind: "file" | "link" | "other" | null = null;
  try {
    const stat = lstatSync(part);
    kind = stat.isSymbolicLink() ? "link" : stat.isFile() ? "file" : "other";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (kind === "file" || kind === "link") unlinkSync(part);
}

function failure(path: string, error: unknown): StoreError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOSPC" || code === "EDQUOT" ? "the disk is full" : code === "EFBIG" ? "the file is larger than this system allows" : (error as Error).message;
  return new StoreError(`Cannot write the export file "${path}": ${reason}`, {
    help: code === "ENOSPC" || code === "EDQUOT" || code === "EFBIG" ? "Free some space or choose another --out folder; nothing partial was left behind" : "Check that the --out folder exists and is writable",
    cause: error,
  });
}

export class FileSink {
  readonly path: string;
  readonly #part: string;
  #fd: number | null;
  #chunks: string[] = [];
  #size = 0;

  constructor(path: string) {
    this.path = path;
    this.#part = `${path}.part`;
    try {
      clearStale(this.#part);
      this.#fd = openSync(this.#part, EXCLUSIVE, 0o644);
    } catch (error) {
      throw failure(path, error);
    }
  }

  write(text: string): void {
    this.#chunks.push(text);
    this.#size += text.length;
    if (this.#size >= FLUSH_AT) this.#guard(() => this.#flush());
  }

  /** Runs `step`; on failure removes the part file and throws the named error. */
  #guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.abort();
      throw failure(this.path, error);
    }
  }

  #flush(): void {
    if (this.#chunks.length === 0 || this.#fd === null) return;
    const bytes = Buffer.from(this.#chunks.join(""));
    this.#chunks = [];
    this.#size = 0;
    for (let done = 0; done < bytes.byteLength; ) done += writeSync(this.#fd, bytes, done, bytes.byteLength - done);
  }

  close(): void {
    this.#guard(() => {
      this.#flush();
      fsyncSync(this.#fd as number);
      closeSync(this.#fd as number);
      this.#fd = null;
      renameSync(this.#part, this.path);
    });
  }

  abort(): void {
    if (this.#fd !== null) {
      const fd = this.#fd;
      this.#fd = null;
      try {
        closeSync(fd);
      } finally {
        rmSync(this.#part, { force: true });
      }
      return;
    }
    rmSync(this.#part, { force: true });
  }
}
