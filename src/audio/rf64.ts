/**
 * @module RF64 (EBU Tech 3306): WAV past 4 GiB. A file that may grow past the 32-bit RIFF sizes
 * (384 kHz stereo for about 45 minutes) is written behind an 80-byte header that reserves a
 * 28-byte `JUNK` chunk after `WAVE`. When it is finished, a file that stayed under the limit keeps
 * that layout, a valid RIFF/WAVE whose readers skip the JUNK; a larger one becomes `RF64`: the
 * JUNK becomes `ds64` with the 64-bit RIFF and data sizes and the sample count, and the 32-bit
 * fields hold 0xFFFFFFFF. The limit is a parameter so tests can cross it with a few bytes.
 */
import { type WavFormat } from "./wav.ts";

export const RIFF_LIMIT = 0xffff_ffff;
/** RIFF/RF64 header (12) + JUNK/ds64 (8 + 28) + fmt (8 + 16) + data chunk header (8). */
export const WIDE_HEADER_BYTES = 80;
const DS64_BYTES = 28;

function writeId(view: DataView, offset: number, id: string): void {
  for (let i = 0; i < 4; i++) view.setUint8(offset + i, id.charCodeAt(i));
}

/**
 * The 80-byte header for `dataBytes` of samples followed by `trailingBytes` of other chunks:
 * RIFF with a JUNK chunk while the RIFF size fits `limit`, else RF64 with ds64.
 */
export function wideWavHeader(format: WavFormat, dataBytes: number, trailingBytes = 0, limit = RIFF_LIMIT): Uint8Array {
  const bytes = new Uint8Array(WIDE_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  const riffSize = 4 + (8 + DS64_BYTES) + 24 + 8 + dataBytes + (dataBytes % 2) + trailingBytes;
  const rf64 = riffSize > limit || dataBytes > limit;
  writeId(view, 0, rf64 ? "RF64" : "RIFF");
  view.setUint32(4, rf64 ? RIFF_LIMIT : riffSize, true);
  writeId(view, 8, "WAVE");
  writeId(view, 12, rf64 ? "ds64" : "JUNK");
  view.setUint32(16, DS64_BYTES, true);
  if (rf64) {
    view.setBigUint64(20, BigInt(riffSize), true);
    view.setBigUint64(28, BigInt(dataBytes), true);
    view.setBigUint64(36, BigInt(Math.floor(dataBytes / blockAlign)), true);
    view.setUint32(44, 0, true); // no table of other chunk sizes
  }
  writeId(view, 48, "fmt ");
  view.setUint32(52, 16, true);
  view.setUint16(56, 1, true);
  view.setUint16(58, format.channels, true);
  view.setUint32(60, format.samplerate, true);
  view.setUint32(64, format.samplerate * blockAlign, true);
  view.setUint16(68, blockAlign, true);
  view.setUint16(70, format.bitsPerSample, true);
  writeId(view, 72, "data");
  view.setUint32(76, rf64 ? RIFF_LIMIT : dataBytes, true);
  return bytes;
}

/** The 64-bit RIFF and data sizes of an RF64 file's ds64 chunk (at offset 12), or null. */
export function readDs64(view: DataView): { riffSize: number; dataSize: number } | null {
  if (view.byteLength < 12 + 8 + 16) return null;
  const id = String.fromCharCode(view.getUint8(12), view.getUint8(13), view.getUint8(14), view.getUint8(15));
  if (id !== "ds64") return null;
  return { riffSize: Number(view.getBigUint64(20, true)), dataSize: Number(view.getBigUint64(28, true)) };
}
