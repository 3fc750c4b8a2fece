/**
 * @module What `acoupi analyze` learns about a WAV or RF64 file before the model reads it: its
 * format, its real samplerate and duration, its time expansion and its start. It walks the RIFF
 * chunks with small reads (the header, `ds64`, `fmt `, `guan`), never the samples, so probing a
 * 500 kHz hour-long file costs a few kilobytes. A file that is not RIFF/WAVE, has no fmt or data
 * chunk, or whose data chunk is longer than the file (truncated in a copy) is refused with an
 * AcoupiError that names it.
 *
 * Time expansion follows the one convention (docs/analyze.md): the header holds the slowed-down
 * rate, GUANO `TE` the factor, and everything the user sees is in real time and frequency, so the
 * real samplerate is GUANO `Samplerate` when it agrees with the header, else header rate × TE, by
 * the same helpers (src/audio/real-time-audio.ts) that the models read the samples through.
 */
import { open, stat, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { parseGuano } from "../audio/guano.ts";
import { guanoFactor, realSamplerate } from "../audio/real-time-audio.ts";
import { RIFF_LIMIT } from "../audio/rf64.ts";
import { AcoupiError } from "../errors.ts";
import { recordingStart, type StartSource } from "./start-time.ts";

export interface RecordingFileInfo {
  path: string;
  /** The real samplerate (header rate × time expansion). */
  samplerate: number;
  /** The rate the header declares (slowed down when time-expanded). */
  headerSamplerate: number;
  channels: number;
  bitsPerSample: number;
  frames: number;
  /** Seconds of real time. */
  duration: number;
  timeExpansion: number;
  start: Date;
  startSource: StartSource;
}

/** A file `acoupi analyze` cannot read: it is named, skipped, and counted as failed. */
export class AudioFileError extends AcoupiError {
  readonly path: string;
  constructor(path: string, state: string) {
    super("audio", `Cannot analyse "${path}": ${state}`, { help: "Check that the file is a complete RIFF/WAVE or RF64 recording (copy it again if it was cut short)" });
    this.path = path;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4));
}

interface Chunks {
  fmt: Uint8Array | null;
  guano: string | null;
  dataOffset: number | null;
  dataBytes: number;
}

/** Walks the chunks of an open RIFF/WAVE or RF64 file. */
async function walkChunks(file: FileHandle, size: number, path: string): Promise<Chunks> {
  const head = await readAt(file, 0, 12);
  const riff = head.byteLength === 12 ? fourcc(head, 0) : "";
  if ((riff !== "RIFF" && riff !== "RF64") || fourcc(head, 8) !== "WAVE") throw new AudioFileError(path, "it is not a RIFF/WAVE or RF64 file");
  const found: Chunks = { fmt: null, guano: null, dataOffset: null, dataBytes: 0 };
  let wideData: number | null = null;
  let offset = 12;
  while (offset + 8 <= size) {
    const header = await readAt(file, offset, 8);
    const view = new DataView(header.buffer, header.byteOffset, 8);
    const id = fourcc(header, 0);
    let chunkSize = view.getUint32(4, true);
    const body = offset + 8;
    if (id === "ds64") {
      const ds64 = await readAt(file, body, 16);
      if (ds64.byteLength === 16) wideData = Number(new DataView(ds64.buffer, ds64.byteOffset, 16).getBigUint64(8, true));
    } else if (id === "fmt ") {
      found.fmt = await readAt(file, body, Math.min(chunkSize, 64));
    } else if (id === "guan") {
      found.guano = new TextDecoder().decode(await readAt(file, body, Math.min(chunkSize, 1 << 20)));
    } else if (id === "data") {
      if (chunkSize === RIFF_LIMIT && wideData !== null) chunkSize = wideData;
      found.dataOffset = body;
      found.dataBytes = chunkSize;
      if (body + chunkSize > size) throw new AudioFileError(path, `it is truncated: its data chunk declares ${chunkSize} bytes but the file holds ${size - body}`);
    }
    offset = body + chunkSize + (chunkSize % 2);
  }
  return found;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/** Why the samples cannot be read (the encodings src/audio/read-wav-samples.ts decodes), or null. */
function unsupportedEncoding(fmt: DataView, bits: number): string | null {
  let tag = fmt.getUint16(0, true);
  if (tag === EXTENSIBLE && fmt.byteLength >= 26) tag = fmt.getUint16(24, true);
  if (tag === PCM && [8, 16, 24, 32].includes(bits)) return null;
  if (tag === FLOAT && (bits === 32 || bits === 64)) return null;
  return `its samples are encoded as format ${tag} with ${bits} bits, which cannot be read (PCM 8/16/24/32-bit and float 32/64-bit can)`;
}

/** Probes a WAV or RF64 file; throws AudioFileError naming it when it cannot be analysed. */
export async function probeRecordingFile(path: string): Promise<RecordingFileInfo> {
  let file: FileHandle;
  try {
    file = await open(path, "r");
  } catch (error) {
    throw new AudioFileError(path, (error as Error).message);
  }
  try {
    const { size, mtime } = await stat(path);
    const chunks = await walkChunks(file, size, path);
    if (chunks.fmt === null || chunks.fmt.byteLength < 16) throw new AudioFileError(path, "it has no fmt chunk");
    if (chunks.dataOffset === null) throw new AudioFileError(path, "it has no data chunk");
    const fmt = new DataView(chunks.fmt.buffer, chunks.fmt.byteOffset, chunks.fmt.byteLength);
    const channels = fmt.getUint16(2, true);
    const headerSamplerate = fmt.getUint32(4, true);
    const blockAlign = fmt.getUint16(12, true);
    const bitsPerSample = fmt.getUint16(14, true);
    if (channels < 1 || headerSamplerate < 1 || blockAlign < 1) {
      throw new AudioFileError(path, `its fmt chunk declares ${channels} channels at ${headerSamplerate} Hz with ${blockAlign}-byte frames`);
    }
    const problem = unsupportedEncoding(fmt, bitsPerSample);
    if (problem !== null) throw new AudioFileError(path, problem);
    const frames = Math.floor(chunks.dataBytes / blockAlign);
    if (frames === 0) throw new AudioFileError(path, "it holds no audio (its data chunk is empty)");
    const guano = chunks.guano === null ? null : parseGuano(chunks.guano);
    const timeExpansion = guanoFactor(guano);
    const guanoRate = guano?.get("Samplerate");
    const samplerate = realSamplerate(headerSamplerate, timeExpansion, guanoRate === undefined ? undefined : Number(guanoRate));
    const { start, source } = recordingStart({ guanoTimestamp: guano?.get("Timestamp"), fileName: basename(path), mtime });
    return {
      path,
      samplerate,
      headerSamplerate,
      channels,
      bitsPerSample,
      frames,
      duration: frames / samplerate,
      timeExpansion,
      start,
      startSource: source,
    };
  } finally {
    await file.close();
  }
}
