/**
 * @module The spectrogram PNG of a WAV file: open it (checked, see audio/wav-file.ts), find its
 * time expansion (the recording row's when known, else the file's GUANO `TE`, else 1), and render
 * it in real time and frequency with the recording's detections as boxes, reading only the frames
 * each column needs, mixed down to mono: memory stays the same whatever the file's length. Used
 * by `acoupi spectrogram` and the web page.
 */
import { basename } from "node:path";
import { parseGuano } from "../../audio/guano.ts";
import { WavFile } from "../../audio/wav-file.ts";
import { AcoupiError } from "../../errors.ts";
import type { DetectionListRow } from "../queries.ts";
import { encodePng } from "./png.ts";
import { renderSpectrogram, type SpectrogramBox } from "./render.ts";

export interface SpectrogramSource {
  path: string;
  /** The recording's time expansion from the metadata database, when the file is a known recording. */
  timeExpansion?: number;
  detections?: readonly DetectionListRow[];
  /** Shown before the file facts in the title line. */
  title?: string;
}

/** GUANO text is a few hundred bytes; a bigger chunk is read only this far. */
const MAX_GUANO_BYTES = 64 * 1024;

function guanoTimeExpansion(file: WavFile): number {
  const chunk = file.info.chunks.find((c) => c.id === "guan");
  if (chunk === undefined) return 1;
  const te = Number(parseGuano(new TextDecoder().decode(file.bytes(chunk.offset, Math.min(chunk.size, MAX_GUANO_BYTES)))).get("TE") ?? "1");
  return Number.isFinite(te) && te > 0 ? te : 1;
}

function boxesOf(detections: readonly DetectionListRow[]): SpectrogramBox[] {
  const boxes: SpectrogramBox[] = [];
  for (const d of detections) {
    if (d.start_time_s === null || d.end_time_s === null || d.low_freq_hz === null || d.high_freq_hz === null) continue;
    boxes.push({ startS: d.start_time_s, endS: d.end_time_s, lowHz: d.low_freq_hz, highHz: d.high_freq_hz, label: `${d.label ?? d.model} ${d.score.toFixed(2)}` });
  }
  return boxes;
}

function kHz(hz: number): string {
  return `${Math.round(hz / 100) / 10} kHz`;
}

export async function spectrogramPng(source: SpectrogramSource): Promise<Uint8Array> {
  const file = new WavFile(source.path);
  try {
    const { frames } = file.info;
    if (frames < 2) throw new AcoupiError("audio", `Cannot draw a spectrogram of "${source.path}": it holds no audio`);
    const te = source.timeExpansion ?? guanoTimeExpansion(file);
    const samplerate = file.info.samplerate * te;
    const facts = [basename(source.path), kHz(samplerate), `${Math.round((frames / samplerate) * 1000) / 1000} s`];
    if (te !== 1) facts.push(`time expansion ${te}x`);
    const title = [source.title, ...facts].filter(Boolean).join("  ");
    const samples = { length: frames, read: (start: number, into: Float64Array) => file.readMono(start, into) };
    const image = renderSpectrogram({ samples, samplerate, title, boxes: boxesOf(source.detections ?? []) });
    return encodePng(image);
  } finally {
    file.close();
  }
}
