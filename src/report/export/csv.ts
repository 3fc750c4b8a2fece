/**
 * @module One CSV file of detections (`detections.csv`, RFC 4180: a header row, comma-separated,
 * CRLF line ends, fields with a comma, quote or line break quoted and their quotes doubled), for
 * R and spreadsheets. `detection_time` is the recording's start plus the detection's start, in
 * UTC. Empty fields are missing values (a detection without a box, or one nobody reviewed:
 * `verdict` is correct, false or uncertain, and `verdict_species` the species a reviewer gave).
 *
 * Text that came from outside (labels, model and deployment names, paths) could start a formula
 * in a spreadsheet: `=HYPERLINK(…)` runs when the file is opened. As OWASP's CSV-injection
 * guidance says, a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
 * leading apostrophe, which spreadsheets show as text and hide. Only text columns are touched:
 * numbers stay numbers (a negative score is still -0.5), and JSON lines keep every exact value.
 */
import { join } from "node:path";
import type { DetectionListRow } from "../../components/stores/queries/listings.ts";
import { FileSink } from "./file-sink.ts";
import type { Exporter } from "./types.ts";

export const CSV_COLUMNS = [
  "detection_id",
  "detection_time",
  "label",
  "common_name",
  "score",
  "start_time_s",
  "end_time_s",
  "low_freq_hz",
  "high_freq_hz",
  "model",
  "recording_id",
  "recording_time",
  "recording_path",
  "duration_s",
  "samplerate_hz",
  "time_expansion",
  "deployment",
  "verdict",
  "verdict_species",
] as const;

/** A spreadsheet would read a cell starting with one of these as a formula (or strip the tab or CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell that cannot run as a formula: a leading apostrophe before `=`, `+`, `-`, `@`, tab or CR. */
export function spreadsheetText(value: string | null): string | null {
  return value !== null && FORMULA_START.test(value) ? `'${value}` : value;
}

function quote(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function line(row: DetectionListRow): string {
  const detectionTime = new Date(Date.parse(row.created_on) + (row.start_time_s ?? 0) * 1000).toISOString();
  return `${[
    row.detection_id,
    detectionTime,
    spreadsheetText(row.label),
    spreadsheetText(row.common_name),
    row.score,
    row.start_time_s,
    row.end_time_s,
    row.low_freq_hz,
    row.high_freq_hz,
    spreadsheetText(row.model),
    row.recording_id,
    row.created_on,
    spreadsheetText(row.path),
    row.duration_s,
    row.samplerate_hz,
    row.time_expansion,
    spreadsheetText(row.deployment_name),
    row.verdict,
    spreadsheetText(row.verdict_species),
  ]
    .map(quote)
    .join(",")}\r\n`;
}

export function csvExporter(outDir: string): Exporter {
  const sink = new FileSink(join(outDir, "detections.csv"));
  sink.write(`${CSV_COLUMNS.join(",")}\r\n`);
  return {
    row: (row) => sink.write(line(row)),
    close() {
      sink.close();
      return [sink.path];
    },
    abort: () => sink.abort(),
  };
}
