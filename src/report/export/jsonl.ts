/**
 * @module `detections.jsonl`: each detection row as one JSON object a line, the same fields as
 * `acoupi detections --json`, for tools that read JSON lines (jq, pandas, DuckDB).
 */
import { join } from "node:path";
import { FileSink } from "./file-sink.ts";
import type { Exporter } from "./types.ts";

export function jsonlExporter(outDir: string): Exporter {
  const sink = new FileSink(join(outDir, "detections.jsonl"));
  return {
    row: (row) => sink.write(`${JSON.stringify(row)}\n`),
    close() {
      sink.close();
      return [sink.path];
    },
    abort: () => sink.abort(),
  };
}
