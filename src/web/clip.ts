/**
 * @module A detection's clip as its own WAV file: the detection's span with CLIP_PAD_S either side
 * (at most CLIP_MAX_S), cut from the saved recording by reading only those bytes, behind a fresh
 * header, so a browser downloads seconds instead of the hour and shows the clip's duration.
 * Detection times are real seconds (time expansion undone); the cut is in the file's frames.
 * Byte ranges are honoured (206, or 416 for a range outside the clip).
 */
import { WavFile } from "../audio/wav-file.ts";
import { wavHeader, WAV_HEADER_BYTES } from "../audio/wav.ts";
import type { DetectionListRow } from "../components/stores/queries/listings.ts";

export const CLIP_PAD_S = 1;
export const CLIP_MAX_S = 12;

export interface ClipSpan {
  /** Real seconds into the recording. */
  start: number;
  end: number;
}

/** The span a detection's clip covers, within the recording. */
export function clipSpan(row: Pick<DetectionListRow, "start_time_s" | "end_time_s" | "duration_s">): ClipSpan {
  const duration = row.duration_s;
  const s = row.start_time_s ?? 0;
  const e = row.end_time_s ?? Math.min(duration, s + CLIP_MAX_S - 2 * CLIP_PAD_S);
  const start = Math.max(0, s - CLIP_PAD_S);
  const end = Math.min(duration, Math.max(e + CLIP_PAD_S, start), start + CLIP_MAX_S);
  return { start, end };
}

/** The clip's bytes: a canonical header and the span's frames. */
export function clipBytes(path: string, span: ClipSpan, timeExpansion: number): Uint8Array {
  const file = new WavFile(path);
  try {
    const info = file.info;
    const framesPerRealSecond = info.samplerate * timeExpansion;
    const first = Math.min(info.frames, Math.max(0, Math.floor(span.start * framesPerRealSecond)));
    const last = Math.min(info.frames, Math.max(first, Math.ceil(span.end * framesPerRealSecond)));
    const dataBytes = (last - first) * info.blockAlign;
    const out = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
    const header = wavHeader({ samplerate: info.samplerate, channels: info.channels, bitsPerSample: info.bits }, dataBytes);
    if (info.tag !== 1) new DataView(header.buffer).setUint16(20, info.tag, true);
    out.set(header, 0);
    out.set(file.bytes(info.dataOffset + first * info.blockAlign, dataBytes), WAV_HEADER_BYTES);
    return out;
  } finally {
    file.close();
  }
}

const RANGE_RE = /^bytes=(\d*)-(\d*)$/;

/** The clip as a response, whole or the byte range asked for. */
export function clipResponse(bytes: Uint8Array, request: Request): Response {
  const size = bytes.byteLength;
  const headers = { "content-type": "audio/wav", "accept-ranges": "bytes", "cache-control": "private, max-age=3600" };
  const range = RANGE_RE.exec(request.headers.get("range") ?? "");
  if (range === null || (range[1] === "" && range[2] === "")) return new Response(bytes, { headers: { ...headers, "content-length": String(size) } });
  const start = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
  const end = range[1] === "" || range[2] === "" ? size - 1 : Math.min(size - 1, Number(range[2]));
  if (start >= size || start > end) return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  return new Response(bytes.subarray(start, end + 1), {
    status: 206,
    headers: { ...headers, "content-range": `bytes ${start}-${end}/${size}`, "content-length": String(end - start + 1) },
  });
}
