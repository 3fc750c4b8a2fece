/**
 * @module Raven Pro selection tables (tab-separated text, one header line, one selection a line).
 * The first seven columns are Raven's required ones: Selection, View, Channel, Begin Time (s),
 * End Time (s), Low Freq (Hz), High Freq (Hz). Then our annotations Species and Score, and
 * Raven's file measurements Begin File, Begin Path and File Offset (s). Per recording, times are
 * within the file (`<file>.Table.1.selections.txt`, Raven's own naming). The combined table
 * (`detections.selections.txt`) times each selection from the start of the recordings that have
 * detections, taken as a Raven file sequence in export order, and File Offset (s) gives the time
 * within its own file.
 * Every selection is on the spectrogram view of channel 1.
 */
import { join } from "node:path";
import type { DetectionListRow } from "../queries.ts";
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
  "Score",
  "Begin File",
  "Begin Path",
  "File Offset (s)",
] as const;

const HEADER = `${RAVEN_COLUMNS.join("\t")}\n`;

/** Tabs and line breaks would split a field: Raven has no quoting, so they become spaces. */
function field(text: string): string {
  return text.replace(/[\t\r\n]+/g, " ");
}

function line(row: DetectionListRow, selection: number, offsetS: number): string {
  const box = extent(row);
  const path = row.path ?? "";
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
    row.score.toFixed(4),
    field(file),
    field(row.relative_path ?? path),
    fixed6(box.start),
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
        if (recording !== null) offset += duration;
        recording = row.recording_id;
        duration = row.duration_s;
      }
      selection += 1;
      sink.write(line(row, selection, offset));
    },
    close() {
      sink.close();
      return [sink.path];
    },
    abort: () => sink.abort(),
  };
}
