/**
 * @module One CSV file of detections (`detections.csv`, RFC 4180: a header row, comma-separated,
 * CRLF line ends, fields with a comma, quote or line break quoted and their quotes doubled), for
 * R and spreadsheets. `detection_time` is the recording's start plus the detection's start, in
 * UTC. Empty fields are missing values (a detection without a box).
 */
import { join } from "node:path";
import type { DetectionListRow } from "../queries.ts";
import { FileSink } from "./file-sink.ts";
import type { Exporter } from "./types.ts";

export const CSV_COLUMNS = [
  "detection_id",
  "detection_time",
  "label",
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
] as const;

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
    row.label,
    row.score,
    row.start_time_s,
    row.end_time_s,
    row.low_freq_hz,
    row.high_freq_hz,
    row.model,
    row.recording_id,
    row.created_on,
    row.path,
    row.duration_s,
    row.samplerate_hz,
    row.time_expansion,
    row.deployment_name,
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
