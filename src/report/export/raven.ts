/**
 * @module Raven Pro selection tables (tab-separated text, one header line, one selection a line).
 * The first seven columns are Raven's required ones: Selection, View, Channel, Begin Time (s),
 * End Time (s), Low Freq (Hz), High Freq (Hz). Then our annotations Species (the scientific name
 * of a `Genus species_Common Name` label), Common Name (empty for other labels), Score and Verdict, and
 * Raven's file measurements Begin File, Begin Path and File Offset (s). Per recording, times are
 * within the file (`<file>.Table.1.selections.txt`, Raven's own naming). The combined table
 * (`detections.selections.txt`) times each selection from the start of the kept recordings that
 * have detections, taken as a Raven file sequence in export order (the Begin Path column, in
 * order), and File Offset (s) gives the time within its own file. A recording whose audio was
 * deleted is not in that sequence and adds no time to it: with `--include-deleted` its selections
 * are listed with an empty Begin File and Begin Path and times within their own recording.
 * Every selection is on the spectrogram view of channel 1. Times and frequencies are real (as in
 * the field), whatever the recording's time expansion; the last column, Time Expansion, gives the
 * factor, so a user who opens a time-expanded file in Raven (which plays it slowed down) can map
 * a selection onto it: times × factor, frequencies ÷ factor (docs/time-expansion.md). Verdict
 * holds a person's verdict (`acoupi review`): correct, false or uncertain, with `: species` when
 * they said what it really was; empty when nobody reviewed the detection.
 */
import { join } from "node:path";
import type { DetectionListRow } from "../../components/stores/queries/listings.ts";
import { FileSink } from "./file-sink.ts";
import { perRecordingExporter } from "./per-recording.ts";
import { extent, fixed6, type Exporter } from "./types.ts";

export const RAVEN_COLUMNS = [
  "Selection",
  "View",
  "Channel",
  "Begin Time (s)",
  "End Time (s)",
  "Low Freq (Hz)",
  "High Freq (Hz)",
  "Species",
  "Common Name",
  "Score",
  "Verdict",
  "Begin File",
  "Begin Path",
  "File Offset (s)",
  "Time Expansion",
] as const;

const HEADER = `${RAVEN_COLUMNS.join("\t")}\n`;

/** Tabs and line breaks would split a field: Raven has no quoting, so they become spaces. */
function field(text: string): string {
  return text.replace(/[\t\r\n]+/g, " ");
}

/** Whether the recording's audio is still there to open (see KEPT in components/stores/queries/report-filters.ts). */
function kept(row: DetectionListRow): boolean {
  return row.path !== null && !["discarded", "missing", "purged"].includes(row.recording_state);
}

/** The reviewer's verdict (`false: Strix aluco` when they gave the species it was); empty when unreviewed. */
function verdictText(row: DetectionListRow): string {
  if (row.verdict === null) return "";
  return row.verdict_species === null ? row.verdict : `${row.verdict}: ${row.verdict_species}`;
}

function line(row: DetectionListRow, selection: number, offsetS: number): string {
  const box = extent(row);
  const path = kept(row) ? (row.path ?? "") : "";
  const file = path.slice(path.lastIndexOf("/") + 1);
  return `${[
    String(selection),
    "Spectrogram 1",
    "1",
    fixed6(offsetS + box.start),
    fixed6(offsetS + box.end),
    fixed6(box.low),
    fixed6(box.high),
    field(row.label ?? row.model),
    field(row.common_name ?? ""),
    row.score.toFixed(4),
    field(verdictText(row)),
    field(file),
    field(row.relative_path ?? path),
    fixed6(box.start),
    String(row.time_expansion),
  ].join("\t")}\n`;
}

export function ravenPerRecording(outDir: string): Exporter {
  return perRecordingExporter(outDir, { suffix: ".Table.1.selections.txt", header: HEADER, line: (row, i) => line(row, i, 0) });
}

export function ravenCombined(outDir: string): Exporter {
  const sink = new FileSink(join(outDir, "detections.selections.txt"));
  sink.write(HEADER);
  let selection = 0;
  let recording: string | null = null;
  let offset = 0;
  let duration = 0;
  return {
    row(row) {
      if (row.recording_id !== recording) {
        offset += duration;
        recording = row.recording_id;
        // Only a file in the sequence moves the selections after it.
        duration = kept(row) ? row.duration_s : 0;
      }
      selection += 1;
      sink.write(line(row, selection, kept(row) ? offset : 0));
    },
    close() {
      sink.close();
      return [sink.path];
    },
    abort: () => sink.abort(),
  };
}
