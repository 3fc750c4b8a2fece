/**
 * @module A crash-safe PCM16 WAV writer. Samples go to `<dir>/<name>.wav.part` behind a
 * placeholder header; `finish` appends trailing chunks (GUANO), writes the real sizes, fsyncs,
 * renames to `<dir>/<name>.wav` and fsyncs the folder, so after a crash there is either a
 * complete `.wav` or a `.part` that reconciliation can finalise or remove — never a half-written
 * `.wav`. Samples are written in the host's byte order, which is little-endian on every target.
 *
 * With a flush period (`flushFrames`, the recorder's seconds of audio times its capture rate) the writer writes and fdatasyncs the
 * samples each time that much audio has accumulated, so a power cut loses at most one period:
 * reconcile finalises the `.part` up to its last whole frame. Without one it writes every 256 KiB
 * and leaves syncing to the final fsync (2.7 s of audio at 48 kHz mono may be lost).
 *
 * A file expected to pass the 32-bit RIFF sizes (`expectedBytes` near `riffLimit`, 4 GiB) is
 * written behind the 80-byte header of src/audio/rf64.ts and finished as RF64 when it did pass
 * them (or as RIFF with a JUNK chunk when it did not). Other files keep the 44-byte header.
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { finalPathOf, fsyncDir, partPathOf } from "./recording-file.ts";
import { AcoupiError } from "../errors.ts";
import { RIFF_LIMIT, WIDE_HEADER_BYTES, wideWavHeader } from "./rf64.ts";
import { WAV_HEADER_BYTES, wavHeader, type WavFormat } from "./wav.ts";

const FLUSH_BYTES = 256 * 1024;

export interface WavWriterOptions {
  /** Write and fdatasync every this many frames; unset: 256 KiB writes, no sync until finish. */
  flushFrames?: number | null;
  /** Bytes of samples the file is meant to hold; one that may pass `riffLimit` is written RF64-ready. */
  expectedBytes?: number;
  /** The largest RIFF size (4 GiB − 1); a test passes a small one. */
  riffLimit?: number;
}

/** Room kept for the trailing chunks (GUANO) when deciding whether a file may pass the limit. */
const TRAILING_ROOM = 64 * 1024;

export class WavWriter {
  readonly partPath: string;
  readonly finalPath: string;
  readonly format: WavFormat;
  #dir: string;
  #file: FileHandle | null;
  #pending: Uint8Array;
  #pendingBytes = 0;
  #dataBytes = 0;
  #sync: boolean;
  #limit: number;
  #headerBytes: number;

  private constructor(dir: string, name: string, format: WavFormat, file: FileHandle, options: WavWriterOptions) {
    const blockAlign = format.channels * 2;
    const frames = options.flushFrames ?? null;
    this.#pending = new Uint8Array(frames === null ? FLUSH_BYTES : Math.max(1, Math.round(frames)) * blockAlign);
    this.#sync = frames !== null;
    this.#limit = options.riffLimit ?? RIFF_LIMIT;
    const wide = (options.expectedBytes ?? 0) + WIDE_HEADER_BYTES + TRAILING_ROOM > this.#limit;
    this.#headerBytes = wide ? WIDE_HEADER_BYTES : WAV_HEADER_BYTES;
    this.#dir = dir;
    this.partPath = partPathOf(dir, name);
    this.finalPath = finalPathOf(dir, name);
    this.format = format;
    this.#file = file;
  }

  /** Creates `<dir>/<name>.wav.part` (failing if it exists) with a placeholder header. */
  static async create(dir: string, name: string, format: Omit<WavFormat, "bitsPerSample">, options: WavWriterOptions = {}): Promise<WavWriter> {
    const full: WavFormat = { ...format, bitsPerSample: 16 };
    const file = await open(partPathOf(dir, name), "wx", 0o644);
    const writer = new WavWriter(dir, name, full, file, options);
    await file.write(writer.#header(0, 0), 0, writer.#headerBytes, 0);
    return writer;
  }

  /** Bytes of samples written so far. */
  get dataBytes(): number {
    return this.#dataBytes + this.#pendingBytes;
  }

  /** Appends interleaved samples; they are copied, so the caller may reuse `samples` at once. */
  async write(samples: Int16Array): Promise<void> {
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    let offset = 0;
    while (offset < bytes.byteLength) {
      const room = this.#pending.byteLength - this.#pendingBytes;
      const take = Math.min(room, bytes.byteLength - offset);
      this.#pending.set(bytes.subarray(offset, offset + take), this.#pendingBytes);
      this.#pendingBytes += take;
      offset += take;
      if (this.#pendingBytes === this.#pending.byteLength) {
        await this.#flush();
        if (this.#sync) await this.#handle().datasync();
      }
    }
  }

  /**
   * Writes `trailing` chunks after the data, finalises the header, fsyncs and renames the file
   * into place, then fsyncs the folder. Returns the final path.
   */
  async finish(trailing: readonly Uint8Array[] = []): Promise<string> {
    const file = this.#handle();
    await this.#flush();
    let position = this.#headerBytes + this.#dataBytes;
    if (this.#dataBytes % 2 === 1) {
      await file.write(new Uint8Array(1), 0, 1, position);
      position += 1;
    }
    let trailingBytes = 0;
    for (const chunk of trailing) {
      await file.write(chunk, 0, chunk.byteLength, position);
      position += chunk.byteLength;
      trailingBytes += chunk.byteLength;
    }
    await file.write(this.#header(this.#dataBytes, trailingBytes), 0, this.#headerBytes, 0);
    await file.truncate(position);
    await file.sync();
    await file.close();
    this.#file = null;
    await rename(this.partPath, this.finalPath);
    fsyncDir(this.#dir);
    return this.finalPath;
  }

  /** Closes and deletes the `.part` file; safe to call after a failure, and more than once. */
  async abort(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    if (file !== null) await file.close();
    await rm(this.partPath, { force: true });
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const file = this.#handle();
    if (this.#headerBytes === WAV_HEADER_BYTES && WAV_HEADER_BYTES + this.#dataBytes + this.#pendingBytes + TRAILING_ROOM > this.#limit) {
      throw new AcoupiError("audio", `Cannot write "${this.partPath}" past ${this.#limit} bytes: it was not created RF64-ready`, {
        help: "Pass expectedBytes to WavWriter.create for recordings that may pass 4 GiB",
      });
    }
    await file.write(this.#pending, 0, this.#pendingBytes, this.#headerBytes + this.#dataBytes);
    this.#dataBytes += this.#pendingBytes;
    this.#pendingBytes = 0;
  }

  #header(dataBytes: number, trailingBytes: number): Uint8Array {
    if (this.#headerBytes === WIDE_HEADER_BYTES) return wideWavHeader(this.format, dataBytes, trailingBytes, this.#limit);
    return wavHeader(this.format, dataBytes, trailingBytes);
  }

  #handle(): FileHandle {
    if (this.#file === null) throw new Error(`WAV file "${this.partPath}" is already closed`);
    return this.#file;
  }
}
