/**
 * @module PCM16 WAV headers as bytes: writing the 44-byte RIFF/WAVE header, walking the chunks of
 * a file (fmt, data, guan, …), and patching the header samplerate for time expansion. A
 * time-expanded recording keeps its samples; only the header says `samplerate / time_expansion`
 * (rounded down, as acoupi does), so players and models hear it slowed down.
 */
import { AcoupiError } from "../errors.ts";
import { readDs64, RIFF_LIMIT } from "./rf64.ts";

export const WAV_HEADER_BYTES = 44;

export interface WavFormat {
  /** The header samplerate (already divided by the time expansion, when there is one). */
  samplerate: number;
  channels: number;
  bitsPerSample: number;
}

export interface WavChunk {
  id: string;
  /** Offset of the chunk's payload (after its 8-byte header). */
  offset: number;
  size: number;
}

export interface WavLayout {
  format: WavFormat & { formatTag: number; byteRate: number; blockAlign: number };
  /** Offset of the fmt chunk's payload. */
  fmtOffset: number;
  dataOffset: number;
  dataBytes: number;
  chunks: WavChunk[];
}

function wavError(state: string): AcoupiError {
  return new AcoupiError("audio", `Cannot read WAV header: ${state}`, {
    help: "Check that the file is a complete RIFF/WAVE recording",
  });
}

/** The header samplerate of a time-expanded recording: `floor(samplerate / timeExpansion)`. */
export function timeExpandedRate(samplerate: number, timeExpansion: number): number {
  if (!(timeExpansion > 0)) throw new RangeError(`Time expansion must be positive, got ${timeExpansion}`);
  return Math.floor(samplerate / timeExpansion);
}

function writeId(view: DataView, offset: number, id: string): void {
  for (let i = 0; i < 4; i++) view.setUint8(offset + i, id.charCodeAt(i));
}

function readId(view: DataView, offset: number): string {
  let id = "";
  for (let i = 0; i < 4; i++) id += String.fromCharCode(view.getUint8(offset + i));
  return id;
}

/**
 * A canonical PCM header (RIFF, fmt, data) for `dataBytes` of samples, followed by
 * `trailingBytes` of other chunks after the data (counted in the RIFF size).
 */
export function wavHeader(format: WavFormat, dataBytes: number, trailingBytes = 0): Uint8Array {
  const bytes = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  const dataPad = dataBytes % 2;
  writeId(view, 0, "RIFF");
  view.setUint32(4, 4 + 24 + 8 + dataBytes + dataPad + trailingBytes, true);
  writeId(view, 8, "WAVE");
  writeId(view, 12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.samplerate, true);
  view.setUint32(28, format.samplerate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  writeId(view, 36, "data");
  view.setUint32(40, dataBytes, true);
  return bytes;
}

/**
 * Walks the chunks of a RIFF/WAVE file held in `bytes` (at least its header; a truncated data
 * chunk is accepted so a `.part` file can be inspected).
 */
export function parseWav(bytes: Uint8Array): WavLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = bytes.byteLength >= 12 ? readId(view, 0) : "";
  if ((riff !== "RIFF" && riff !== "RF64") || readId(view, 8) !== "WAVE") throw wavError("it is not RIFF/WAVE or RF64");
  // RF64: the data chunk's 32-bit size is 0xFFFFFFFF and its real size is in ds64.
  const ds64 = riff === "RF64" ? readDs64(view) : null;
  if (riff === "RF64" && ds64 === null) throw wavError("it is RF64 without a ds64 chunk");
  const chunks: WavChunk[] = [];
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = readId(view, offset);
    const declared = view.getUint32(offset + 4, true);
    const size = ds64 !== null && id === "data" && declared === RIFF_LIMIT ? ds64.dataSize : declared;
    chunks.push({ id, offset: offset + 8, size });
    offset += 8 + size + (size % 2);
  }
  const fmt = chunks.find((c) => c.id === "fmt ");
  const data = chunks.find((c) => c.id === "data");
  if (fmt === undefined || fmt.size < 16 || fmt.offset + 16 > bytes.byteLength) throw wavError("it has no fmt chunk");
  if (data === undefined) throw wavError("it has no data chunk");
  return {
    format: {
      formatTag: view.getUint16(fmt.offset, true),
      channels: view.getUint16(fmt.offset + 2, true),
      samplerate: view.getUint32(fmt.offset + 4, true),
      byteRate: view.getUint32(fmt.offset + 8, true),
      blockAlign: view.getUint16(fmt.offset + 12, true),
      bitsPerSample: view.getUint16(fmt.offset + 14, true),
    },
    fmtOffset: fmt.offset,
    dataOffset: data.offset,
    dataBytes: Math.min(data.size, bytes.byteLength - data.offset),
    chunks,
  };
}

/** Rewrites SampleRate and ByteRate in the fmt chunk, in place; the samples are untouched. */
export function patchWavSamplerate(bytes: Uint8Array, samplerate: number): void {
  const layout = parseWav(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(layout.fmtOffset + 4, samplerate, true);
  view.setUint32(layout.fmtOffset + 8, samplerate * layout.format.blockAlign, true);
}

/** The PCM16 samples of a parsed file, interleaved (a copy, so it is aligned). */
export function wavSamples16(bytes: Uint8Array): Int16Array {
  const layout = parseWav(bytes);
  if (layout.format.bitsPerSample !== 16) throw wavError(`it has ${layout.format.bitsPerSample}-bit samples, not 16`);
  const data = bytes.slice(layout.dataOffset, layout.dataOffset + layout.dataBytes - (layout.dataBytes % 2));
  return new Int16Array(data.buffer, 0, data.byteLength / 2);
}
