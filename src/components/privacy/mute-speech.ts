/**
 * @module Muting speech in a recording: the samples inside the given spans become zero in every
 * channel, the header is written anew for the same format, and the GUANO chunk keeps its fields
 * plus a note naming the muted spans (GUANO's `Note` field). The new file replaces the old one
 * atomically (temp file, fsync, rename), so a crash leaves either the original or the muted file.
 * Spans are in real seconds (what the screen heard); a time-expanded file holds `factor` times as
 * many samples per real second as its header says.
 */
import { readFileSync } from "node:fs";
import { buildGuano, guanoChunk, readGuano } from "../../audio/guano.ts";
import { realSamplerate } from "../../audio/real-time-audio.ts";
import { parseWav, wavHeader } from "../../audio/wav.ts";
import { writeFileAtomic } from "../../system/atomic-write.ts";
import type { Span } from "./privacy-filter.ts";

/** Zeroes the spans (real seconds) of the 16-bit WAV at `path` in place (atomically); returns the frames muted. */
export function muteSpeech(path: string, spans: readonly Span[], timeExpansion = 1): number {
  const bytes = new Uint8Array(readFileSync(path));
  const layout = parseWav(bytes);
  const { channels, samplerate, bitsPerSample } = layout.format;
  const frameBytes = layout.format.blockAlign || channels * (bitsPerSample / 8);
  const frames = Math.floor(layout.dataBytes / frameBytes);
  const data = bytes.slice(layout.dataOffset, layout.dataOffset + frames * frameBytes);
  const fields = readGuano(bytes) ?? new Map<string, string>();
  const guanoRate = fields.get("Samplerate");
  const realRate = realSamplerate(samplerate, timeExpansion, guanoRate === undefined ? undefined : Number(guanoRate));
  let muted = 0;
  for (const span of spans) {
    const first = Math.max(0, Math.floor(span.start * realRate));
    const last = Math.min(frames, Math.ceil(span.end * realRate));
    if (last <= first) continue;
    data.fill(0, first * frameBytes, last * frameBytes);
    muted += last - first;
  }
  const note = `speech muted by acoupi's privacy filter: ${spans.map((s) => `${s.start.toFixed(2)}-${s.end.toFixed(2)} s`).join(", ")}`;
  const previous = fields.get("Note");
  fields.set("Note", previous ? `${previous}; ${note}` : note);
  const guano = guanoChunk(buildGuano(fields));
  const pad = data.byteLength % 2;
  const header = wavHeader({ samplerate, channels, bitsPerSample }, data.byteLength, guano.byteLength);
  const out = new Uint8Array(header.byteLength + data.byteLength + pad + guano.byteLength);
  out.set(header, 0);
  out.set(data, header.byteLength);
  out.set(guano, header.byteLength + data.byteLength + pad);
  writeFileAtomic(path, out);
  return muted;
}
