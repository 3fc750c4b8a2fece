/**
 * @module The shared shape of per-recording exports (Raven tables, Audacity label tracks): one
 * file per recording, opened at its first row and published when the next recording starts, so
 * only one file is open at a time. Files are named after the audio file; a second recording with
 * the same file name (two folders) gets its id appended. An aborted export removes the files it
 * had published as well as the one it was writing.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { DetectionListRow } from "../../components/stores/queries/listings.ts";
import { FileSink } from "./file-sink.ts";
import { baseName, type Exporter } from "./types.ts";

export interface PerRecordingFormat {
  /** Appended to the recording's base name, e.g. `.Table.1.selections.txt`. */
  suffix: string;
  /** Written once at the top of each file. */
  header: string;
  /** One row's text; `index` counts rows from 1 within the file. */
  line(row: DetectionListRow, index: number): string;
}

export function perRecordingExporter(outDir: string, format: PerRecordingFormat): Exporter {
  const written: string[] = [];
  const names = new Set<string>();
  let current: { id: string; sink: FileSink; rows: number } | null = null;
  const finish = () => {
    if (current === null) return;
    current.sink.close();
    written.push(current.sink.path);
    current = null;
  };
  return {
    row(row) {
      if (current?.id !== row.recording_id) {
        finish();
        let name = baseName(row);
        if (names.has(name)) name = `${name}-${row.recording_id}`;
        names.add(name);
        const sink = new FileSink(join(outDir, `${name}${format.suffix}`));
        sink.write(format.header);
        current = { id: row.recording_id, sink, rows: 0 };
      }
      current.rows += 1;
      current.sink.write(format.line(row, current.rows));
    },
    close() {
      finish();
      return written;
    },
    abort() {
      current?.sink.abort();
      current = null;
      // A failed export leaves nothing behind: the tables it already published go too.
      for (const path of written.splice(0)) rmSync(path, { force: true });
    },
  };
}
