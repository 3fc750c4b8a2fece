/**
 * @module FileSink: a text file written in bounded memory and published whole. Text is buffered
 * up to 64 KiB and written with writeSync into `<path>.part`; `close()` fsyncs and renames it into
 * place, so a crash or a full disk never leaves a half-written export under the final name, and
 * `abort()` removes the part file.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { StoreError } from "../../errors.ts";

const FLUSH_AT = 64 * 1024;

export class FileSink {
  readonly path: string;
  readonly #part: string;
  #fd: number;
  #chunks: string[] = [];
  #size = 0;

  constructor(path: string) {
    this.path = path;
    this.#part = `${path}.part`;
    try {
      this.#fd = openSync(this.#part, "w", 0o644);
    } catch (error) {
      throw new StoreError(`Cannot write the export file "${path}": ${(error as Error).message}`, {
        help: "Check that the --out folder exists and is writable",
        cause: error,
      });
    }
  }

  write(text: string): void {
    this.#chunks.push(text);
    this.#size += text.length;
    if (this.#size >= FLUSH_AT) this.#flush();
  }

  #flush(): void {
    if (this.#chunks.length === 0) return;
    writeSync(this.#fd, this.#chunks.join(""));
    this.#chunks = [];
    this.#size = 0;
  }

  close(): void {
    this.#flush();
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    renameSync(this.#part, this.path);
  }

  abort(): void {
    closeSync(this.#fd);
    rmSync(this.#part, { force: true });
  }
}
