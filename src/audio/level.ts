/**
 * @module The level of a 16-bit PCM WAV file, in dBFS (0 dB is a full-scale sample), read in
 * place from its bytes (no sample copy when the data is 2-byte aligned, as in acoupi's files): the peak and the RMS over all channels. Digital
 * silence reads -Infinity. Pure: bytes in, numbers out.
 */
import { parseWav } from "./wav.ts";

export interface Level {
  peakDbfs: number;
  rmsDbfs: number;
}

const FULL_SCALE = 32768;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The samples as an Int16Array over the bytes when aligned (no copy), else over a copy. */
function samples16(bytes: Uint8Array, offset: number, length: number): Int16Array {
  const start = bytes.byteOffset + offset;
  if (start % 2 === 0) return new Int16Array(bytes.buffer, start, length / 2);
  return new Int16Array(bytes.slice(offset, offset + length).buffer);
}

/** The file's peak and RMS level, or null when its samples are not 16-bit PCM. */
export function pcm16Level(bytes: Uint8Array): Level | null {
  const layout = parseWav(bytes);
  if (layout.format.formatTag !== 1 || layout.format.bitsPerSample !== 16) return null;
  const length = layout.dataBytes - (layout.dataBytes % 2);
  let peak = 0;
  let sumSquares = 0;
  const add = (v: number) => {
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
    sumSquares += v * v;
  };
  if (LITTLE_ENDIAN) {
    // A typed array reads an order of magnitude faster than DataView in a loop that runs once per page view.
    for (const v of samples16(bytes, layout.dataOffset, length)) add(v);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + layout.dataOffset, length);
    for (let i = 0; i < length / 2; i++) add(view.getInt16(i * 2, true));
  }
  const n = length / 2;
  const rms = n === 0 ? 0 : Math.sqrt(sumSquares / n);
  return { peakDbfs: 20 * Math.log10(peak / FULL_SCALE), rmsDbfs: 20 * Math.log10(rms / FULL_SCALE) };
}
