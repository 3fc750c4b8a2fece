/**
 * @module exportDetections: streams the filtered detections from the metadata database into one
 * export format, row by row, so memory stays bounded however many rows there are. `onProgress` is
 * called every `progressEvery` rows (the CLI draws a progress line on a terminal only). Any failure,
 * while writing or while publishing, aborts the exporter: no partial file is left behind.
 */
import type { Database } from "bun:sqlite";
import { deploymentPlaces } from "../../components/stores/queries/deployments.ts";
import { iterateDetections } from "../../components/stores/queries/listings.ts";
import type { ReportFilters } from "../../components/stores/queries/report-filters.ts";
import { audacityLabels } from "./audacity.ts";
import { csvExporter } from "./csv.ts";
import { ebirdExporter } from "./ebird.ts";
import { jsonlExporter } from "./jsonl.ts";
import { ravenCombined, ravenPerRecording } from "./raven.ts";
import type { ExportFormat, Exporter } from "./types.ts";

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  /** Raven only: one combined table instead of one per recording. */
  combined?: boolean;
  /** eBird only: the time zone of its local dates and times (default UTC). */
  timeZone?: string;
  /** eBird only: one checklist per local day (default) or hour. */
  checklist?: "day" | "hour";
  onProgress?: (rows: number) => void;
  progressEvery?: number;
}

export interface ExportResult {
  rows: number;
  files: string[];
}

function exporterFor(db: Database, options: ExportOptions): Exporter {
  switch (options.format) {
    case "csv":
      return csvExporter(options.outDir);
    case "jsonl":
      return jsonlExporter(options.outDir);
    case "audacity":
      return audacityLabels(options.outDir);
    case "raven":
      return options.combined ? ravenCombined(options.outDir) : ravenPerRecording(options.outDir);
    case "ebird":
      return ebirdExporter(options.outDir, { timeZone: options.timeZone ?? "UTC", checklist: options.checklist ?? "day", locations: deploymentPlaces(db) });
  }
}

export function exportDetections(db: Database, filters: ReportFilters, options: ExportOptions): ExportResult {
  const exporter = exporterFor(db, options);
  const every = options.progressEvery ?? 1000;
  let rows = 0;
  try {
    for (const row of iterateDetections(db, { ...filters, order: "oldest" })) {
      exporter.row(row);
      rows += 1;
      if (rows % every === 0) options.onProgress?.(rows);
    }
    return { rows, files: exporter.close() };
  } catch (error) {
    exporter.abort();
    throw error;
  }
}
