/**
/**
 * @module The spectrogram PNG of a WAV file: open it (checked, see audio/wav-file.ts), find its
 * time expansion (the recording row's when known, else the file's GUANO `TE`, else 1), and render
 * it in real time and frequency (real-time-audio.ts finds the capture rate) with the recording's
 * detections as boxes, whole or zoomed on a view, reading only the frames each column needs,
 * mixed down to mono: memory stays the same whatever the file's length. Used by
 * `acoupi spectrogram` and the web page.
 */
import { basename } from "node:path";
import { parseGuano } from "../../audio/guano.ts";
import { guanoFactor, realSamplerate } from "../../audio/real-time-audio.ts";
import { WavFile } from "../../audio/wav-file.ts";
import { AcoupiError } from "../../errors.ts";
import { detectionName } from "../export/types.ts";
import type { DetectionListRow } from "../../components/stores/queries/listings.ts";
import { encodePng } from "./png.ts";
import { renderSpectrogram, resolveView, type SpectrogramBox, type SpectrogramView } from "./render.ts";

export interface SpectrogramSource {
  path: string;
  /** The recording's time expansion from the metadata database, when the file is a known recording. */
  timeExpansion?: number;
  detections?: readonly DetectionListRow[];
  /** Shown before the file facts in the title line. */
  title?: string;
  /** Zoom: seconds and hertz, real; each bound defaults to the recording's. */
  view?: Partial<SpectrogramView>;
}

/** GUANO text is a few hundred bytes; a bigger chunk is read only this far. */
const MAX_GUANO_BYTES = 64 * 1024;

function guanoOf(file: WavFile): Map<string, string> | null {
  const chunk = file.info.chunks.find((c) => c.id === "guan");
  if (chunk === undefined) return null;
  return parseGuano(new TextDecoder().decode(file.bytes(chunk.offset, Math.min(chunk.size, MAX_GUANO_BYTES))));
}

/** Boxes best score first: labels are placed in this order, so the best one always gets its spot. */
function boxesOf(detections: readonly DetectionListRow[]): SpectrogramBox[] {
  const boxes: SpectrogramBox[] = [];
  for (const d of [...detections].sort((a, b) => b.score - a.score)) {
    if (d.start_time_s === null || d.end_time_s === null || d.low_freq_hz === null || d.high_freq_hz === null) continue;
    boxes.push({ startS: d.start_time_s, endS: d.end_time_s, lowHz: d.low_freq_hz, highHz: d.high_freq_hz, label: `${detectionName(d)} ${d.score.toFixed(2)}` });
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
    const guano = guanoOf(file);
    const te = source.timeExpansion ?? guanoFactor(guano);
    const guanoRate = guano?.get("Samplerate");
    const samplerate = realSamplerate(file.info.samplerate, te, guanoRate === undefined ? undefined : Number(guanoRate));
    const durationS = frames / samplerate;
    const facts = [basename(source.path), kHz(samplerate), `${Math.round(durationS * 1000) / 1000} s`];
    if (te !== 1) facts.push(`time expansion ${te}x`);
    let view: SpectrogramView | undefined;
    if (source.view !== undefined) {
      try {
        view = resolveView(source.view, durationS, samplerate / 2);
      } catch (error) {
        throw new AcoupiError("spectrogram", `Cannot zoom on "${source.path}": ${(error as Error).message}`, {
          help: "Give --start/--end in seconds within the recording and --fmin/--fmax in Hz below its Nyquist frequency",
        });
      }
      facts.push(`${view.startS}–${view.endS} s, ${kHz(view.fminHz)}–${kHz(view.fmaxHz)}`);
    }
    const title = [source.title, ...facts].filter(Boolean).join("  ");
    const samples = { length: frames, read: (start: number, into: Float64Array) => file.readMono(start, into) };
    const image = renderSpectrogram({ samples, samplerate, title, boxes: boxesOf(source.detections ?? []), ...(view === undefined ? {} : { view }) });
    return encodePng(image);
  } finally {
    file.close();
  }
}
