/**
 * @module Reading WAV and RF64 files that came from anywhere (a card, a colleague, a crash), in
 * bounded memory. `inspectWav` walks the chunks through a reader callback (bytes in memory, or a
 * file read at offsets) and checks everything later code relies on: the RIFF/RF64 and WAVE ids,
 * ds64 for RF64, a complete fmt chunk of at least 16 bytes before the data, channels, samplerate,
 * a sample format we decode and a block align that matches it. Each problem is an AcoupiError
 * (code "audio") that names the file and says what is wrong. A data chunk that runs past the end
 * of the file, or declares 0 or 0xFFFFFFFF bytes, is read to the end, as a recorder that crashed
 * leaves it. `WavFile` reads frames at any position through a file descriptor, so a spectrogram
 * of an hour needs the memory of its columns, not of the hour.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { AcoupiError } from "../errors.ts";
import { RIFF_LIMIT } from "./rf64.ts";

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** The largest fmt chunk read (an extensible one is 40 bytes; anything far bigger is not a fmt). */
const MAX_FMT_BYTES = 4096;

export interface WavChunkRef {
  id: string;
  /** Offset of the payload, after the 8-byte chunk header. */
  offset: number;
  /** The payload's size as declared (for data: as read, see the module comment). */
  size: number;
}

export interface WavInfo {
  /** The plain format tag (1 PCM, 3 float; an extensible file's sub-format). */
  tag: number;
  channels: number;
  /** The header samplerate. */
  samplerate: number;
  bits: number;
  blockAlign: number;
  dataOffset: number;
  dataBytes: number;
  frames: number;
  chunks: WavChunkRef[];
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Uint8Array;

export function wavFileError(source: string, problem: string): AcoupiError {
  return new AcoupiError("audio", `Cannot read WAV file "${source}": ${problem}`, {
    help: "Check that the file is a complete RIFF/WAVE or RF64 recording (a copy interrupted part-way, or another kind of file, is not)",
  });
}

function fourcc(bytes: Uint8Array, at = 0): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkFormat(tag: number, channels: number, samplerate: number, bits: number, blockAlign: number, source: string): void {
  if (channels < 1) throw wavFileError(source, "the fmt chunk declares 0 channels");
  if (samplerate < 1) throw wavFileError(source, "the fmt chunk declares a samplerate of 0 Hz");
  const pcm = tag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bits);
  const float = tag === WAVE_FORMAT_IEEE_FLOAT && (bits === 32 || bits === 64);
  if (!pcm && !float) throw wavFileError(source, `format tag ${tag} with ${bits} bits per sample is not supported (PCM 8/16/24/32-bit or float 32/64-bit are)`);
  if (blockAlign !== channels * (bits / 8)) {
    throw wavFileError(source, `the fmt chunk's block align is ${blockAlign} bytes, but ${channels} channels of ${bits}-bit samples take ${channels * (bits / 8)}`);
  }
}

/** Walks and checks the chunks of a WAV/RF64 file of `size` bytes; `source` names it in errors. */
export function inspectWav(read: ByteReader, size: number, source: string): WavInfo {
  const head = read(0, 48);
  if (head.byteLength < 12 || !["RIFF", "RF64"].includes(fourcc(head)) || fourcc(head, 8) !== "WAVE") {
    throw wavFileError(source, "it does not start with a RIFF/WAVE header");
  }
  let ds64Data: number | null = null;
  if (fourcc(head) === "RF64") {
    if (head.byteLength < 36 || fourcc(head, 12) !== "ds64") throw wavFileError(source, "it is RF64 without a ds64 chunk after its header");
    ds64Data = Number(view(head).getBigUint64(28, true));
  }
  const chunks: WavChunkRef[] = [];
  let format: Omit<WavInfo, "dataOffset" | "dataBytes" | "frames" | "chunks"> | null = null;
  let offset = 12;
  while (offset + 8 <= size) {
    const header = read(offset, 8);
    if (header.byteLength < 8) break;
    const id = fourcc(header);
    const declared = view(header).getUint32(4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      if (declared < 16) throw wavFileError(source, `its fmt chunk is ${declared} bytes long, shorter than the 16 bytes of a WAV format`);
      if (body + Math.min(declared, 16) > size) throw wavFileError(source, `its fmt chunk is cut off: it declares ${declared} bytes, but the file ends ${size - body} bytes into it`);
      const fmt = read(body, Math.min(declared, MAX_FMT_BYTES));
      const v = view(fmt);
      let tag = v.getUint16(0, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE && fmt.byteLength >= 26) tag = v.getUint16(24, true);
      format = { tag, channels: v.getUint16(2, true), samplerate: v.getUint32(4, true), bits: v.getUint16(14, true), blockAlign: v.getUint16(12, true) };
      checkFormat(format.tag, format.channels, format.samplerate, format.bits, format.blockAlign, source);
    }
    if (id === "data") {
      if (format === null) throw wavFileError(source, "its data chunk comes before its fmt chunk");
      const available = size - body;
      const real = ds64Data !== null && declared === RIFF_LIMIT ? ds64Data : declared;
      const dataBytes = real === 0 || real === RIFF_LIMIT || real > available ? available : real;
      chunks.push({ id, offset: body, size: dataBytes });
      const frames = Math.floor(dataBytes / format.blockAlign);
      // Chunks after the data (guan, LIST) are walked too when the data's size is known.
      if (dataBytes === real) scanTrailing(read, size, body + real + (real % 2), chunks);
      return { ...format, dataOffset: body, dataBytes, frames, chunks };
    }
    if (body + declared > size) {
      throw wavFileError(source, `its ${JSON.stringify(id)} chunk declares ${declared} bytes, but only ${size - body} are left in the file${format === null ? " (before any fmt chunk)" : ""}`);
    }
    chunks.push({ id, offset: body, size: declared });
    offset = body + declared + (declared % 2);
  }
  throw wavFileError(source, format === null ? "it has no fmt chunk" : "it has no data chunk");
}

function scanTrailing(read: ByteReader, size: number, from: number, chunks: WavChunkRef[]): void {
  let offset = from;
  while (offset + 8 <= size) {
    const header = read(offset, 8);
    if (header.byteLength < 8) return;
    const declared = view(header).getUint32(4, true);
    chunks.push({ id: fourcc(header), offset: offset + 8, size: declared });
    offset += 8 + declared + (declared % 2);
  }
}

/** One sample as a number in [-1, 1] from `bytes` at `at`, for the checked format. */
export function sampleDecoder(info: Pick<WavInfo, "tag" | "bits">): (v: DataView, at: number) => number {
  if (info.tag === WAVE_FORMAT_IEEE_FLOAT) return info.bits === 32 ? (v, o) => v.getFloat32(o, true) : (v, o) => v.getFloat64(o, true);
  switch (info.bits) {
    case 8:
      return (v, o) => (v.getUint8(o) - 128) / 128;
    case 16:
      return (v, o) => v.getInt16(o, true) / 32768;
    case 24:
      return (v, o) => (v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16)) / 8388608;
    default:
      return (v, o) => v.getInt32(o, true) / 2147483648;
  }
}

/** A WAV/RF64 file open for reading frames at any position, in bounded memory. */
export class WavFile {
  readonly path: string;
  readonly info: WavInfo;
  #fd: number | null;
  readonly #decode: (v: DataView, at: number) => number;

  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = openSync(path, "r");
    } catch (error) {
      throw new AcoupiError("audio", `Cannot read WAV file "${path}": ${(error as Error).message}`, { help: "Check the path and its permissions", cause: error });
    }
    try {
      const size = fstatSync(this.#fd).size;
      this.info = inspectWav((offset, length) => this.bytes(offset, length), size, path);
    } catch (error) {
      this.close();
      throw error;
    }
    this.#decode = sampleDecoder(this.info);
  }

  /** Up to `length` bytes at `offset`. */
  bytes(offset: number, length: number): Uint8Array {
    const buffer = new Uint8Array(length);
    const read = readSync(this.#fd as number, buffer, 0, length, offset);
    return buffer.subarray(0, read);
  }

  /** `into.length` frames from `startFrame` mixed down to mono; frames outside the file read as 0. */
  readMono(startFrame: number, into: Float32Array | Float64Array): void {
    into.fill(0);
    const { channels, blockAlign, frames, dataOffset } = this.info;
    const from = Math.max(0, startFrame);
    const to = Math.min(frames, startFrame + into.length);
    if (to <= from) return;
    const bytes = this.bytes(dataOffset + from * blockAlign, (to - from) * blockAlign);
    const v = view(bytes);
    const width = blockAlign / channels;
    const usable = Math.floor(bytes.byteLength / blockAlign);
    for (let f = 0; f < usable; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += this.#decode(v, f * blockAlign + c * width);
      into[from - startFrame + f] = sum / channels;
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
