/**
 * @module The life of a recording's file, in one place: its name (`YYYYMMDD_HHMMSS_mmm_<id8>`, the
 * UTC start, AudioMoth-style, so names sort by time) and reading the time back from a name; the
 * `.wav.part` it is written as and the `.wav` it becomes; and finalising a `.part` that a crash
 * left behind (real sizes written, fsynced, renamed, folder fsynced), which reconcile does on
 * start. The writer (wav-writer.ts) and the recorder name their files through here.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fsyncDir } from "../system/atomic-write.ts";
import { RIFF_LIMIT, WIDE_HEADER_BYTES, wideWavHeader } from "./rf64.ts";
import { parseWav, wavHeader } from "./wav.ts";

export { fsyncDir };

/** The suffix of a recording being written; the file is only ever complete without it. */
export const PART_SUFFIX = ".wav.part";

/** `<dir>/<name>.wav.part`, the file a recording is captured into. */
export function partPathOf(dir: string, name: string): string {
  return join(dir, `${name}${PART_SUFFIX}`);
}

/** `<dir>/<name>.wav`, the file a finished recording is renamed to. */
export function finalPathOf(dir: string, name: string): string {
  return join(dir, `${name}.wav`);
}

export function isPartFile(name: string): boolean {
  return name.endsWith(PART_SUFFIX);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** `YYYYMMDD_HHMMSS_mmm_<first 8 hex of the id>`, in UTC. */
export function recordingName(createdOn: Date, id: string): string {
  const d = createdOn;
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${date}_${time}_${pad(d.getUTCMilliseconds(), 3)}_${id.replaceAll("-", "").slice(0, 8)}`;
}


const NAME_TIME_RE = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d{3}))?/;

/** The UTC start encoded in a recording's file name, if any. */
export function timeFromRecordingName(name: string): Date | null {
  const m = NAME_TIME_RE.exec(name);
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map((v) => Number(v ?? 0));
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms));
}

/**
 * Writes the real sizes into a `.part` left by a crash and renames it; null when it held no frame.
 * An RF64-ready `.part` (80-byte header) is finished as RF64 when it passed `riffLimit`.
 */
export function finalisePart(path: string, riffLimit = RIFF_LIMIT): string | null {
  const size = statSync(path).size;
  const head = new Uint8Array(readFileSync(path).subarray(0, WIDE_HEADER_BYTES));
  const layout = parseWav(head);
  const headerBytes = layout.dataOffset;
  const frameBytes = layout.format.blockAlign || 2;
  const dataBytes = Math.floor((size - headerBytes) / frameBytes) * frameBytes;
  if (dataBytes <= 0) return null;
  const format = { samplerate: layout.format.samplerate, channels: layout.format.channels, bitsPerSample: layout.format.bitsPerSample };
  const header = headerBytes === WIDE_HEADER_BYTES ? wideWavHeader(format, dataBytes, 0, riffLimit) : wavHeader(format, dataBytes);
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, header, 0, header.byteLength, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const finalPath = path.replace(/\.part$/, "");
  renameSync(path, finalPath);
  fsyncDir(dirname(finalPath));
  return finalPath;
}
