/**
 * @module Exporter: one export format. It receives detection rows in export order (grouped by
 * recording, recordings oldest first), writes as it goes, and holds at most the current file's
 * buffer. `close()` publishes the files and returns their paths; `abort()` removes what it wrote
 * in part. Not safe to call concurrently.
 */
import type { DetectionListRow } from "../../components/stores/queries/listings.ts";

export interface Exporter {
  row(row: DetectionListRow): void;
  close(): string[];
  abort(): void;
}

export type ExportFormat = "csv" | "raven" | "audacity" | "jsonl" | "ebird";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "raven", "audacity", "jsonl", "ebird"];

/** A number with six decimals, as Audacity writes its labels and Raven reads them. */
export function fixed6(value: number): string {
  return value.toFixed(6);
}

/** The detection's box, or the whole recording and band when the model gave none (presence). */
export function extent(row: DetectionListRow): { start: number; end: number; low: number; high: number } {
  const boxed = row.start_time_s !== null && row.end_time_s !== null && row.low_freq_hz !== null && row.high_freq_hz !== null;
  return boxed
    ? { start: row.start_time_s as number, end: row.end_time_s as number, low: row.low_freq_hz as number, high: row.high_freq_hz as number }
    : { start: 0, end: row.duration_s, low: 0, high: row.samplerate_hz / 2 };
}

/** The recording's file name without its folder and extension (its id when it has no file). */
export function baseName(row: DetectionListRow): string {
  if (row.path === null) return row.recording_id;
  const name = row.path.slice(row.path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/** How a detection reads to a person: `Eurasian Blackbird (Turdus merula)`, its label, or its model's name. */
export function detectionName(row: Pick<DetectionListRow, "label" | "common_name" | "model">): string {
  if (row.label === null) return row.model;
  return row.common_name === null ? row.label : `${row.common_name} (${row.label})`;
}
