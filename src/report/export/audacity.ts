/**
 * @module Audacity label tracks, one `<file>.labels.txt` per recording: `start<TAB>end<TAB>label`
 * with times in seconds (six decimals, as Audacity writes them), and, for a detection with a
 * frequency box, Audacity's extended line `\<TAB>low<TAB>high` in Hz right after it. A detection
 * without a box labels the whole recording. The label text is the label (`Common Name (Scientific
 * name)` for BirdNET-style labels) and the score, and a reviewer's verdict in brackets when there
 * is one (`Strix aluco 0.90 [false: Bubo bubo]`).
 */
import type { DetectionListRow } from "../../components/stores/queries/listings.ts";
import { perRecordingExporter } from "./per-recording.ts";
import type { Exporter } from "./types.ts";
import { detectionName, fixed6 } from "./types.ts";

function line(row: DetectionListRow): string {
  const verdict = row.verdict === null ? "" : ` [${row.verdict}${row.verdict_species === null ? "" : `: ${row.verdict_species}`}]`;
  const text = `${detectionName(row)} ${row.score.toFixed(2)}${verdict}`.replace(/[\t\r\n]+/g, " ");
  if (row.start_time_s === null || row.end_time_s === null) return `${fixed6(0)}\t${fixed6(row.duration_s)}\t${text}\n`;
  let out = `${fixed6(row.start_time_s)}\t${fixed6(row.end_time_s)}\t${text}\n`;
  if (row.low_freq_hz !== null && row.high_freq_hz !== null) out += `\\\t${fixed6(row.low_freq_hz)}\t${fixed6(row.high_freq_hz)}\n`;
  return out;
}

export function audacityLabels(outDir: string): Exporter {
  return perRecordingExporter(outDir, { suffix: ".labels.txt", header: "", line });
}
