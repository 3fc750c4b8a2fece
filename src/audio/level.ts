/**
 * @module The level of a 16-bit PCM WAV file, in dBFS (0 dB is a full-scale sample), read in
 * place from its bytes with no sample copy: the peak and the RMS over all channels. Digital
 * silence reads -Infinity. Pure: bytes in, numbers out.
 */
import { parseWav } from "./wav.ts";

export interface Level {
  peakDbfs: number;
  rmsDbfs: number;
}

const FULL_SCALE = 32768;

/** The file's peak and RMS level, or null when its samples are not 16-bit PCM. */
export function pcm16Level(bytes: Uint8Array): Level | null {
  const layout = parseWav(bytes);
  if (layout.format.formatTag !== 1 || layout.format.bitsPerSample !== 16) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + layout.dataOffset, layout.dataBytes - (layout.dataBytes % 2));
  const n = view.byteLength / 2;
  let peak = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const v = view.getInt16(i * 2, true);
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
    sumSquares += v * v;
  }
  const rms = n === 0 ? 0 : Math.sqrt(sumSquares / n);
  return { peakDbfs: 20 * Math.log10(peak / FULL_SCALE), rmsDbfs: 20 * Math.log10(rms / FULL_SCALE) };
}
