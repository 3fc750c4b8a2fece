/**
 * @module `acoupi export --format csv|raven|audacity|jsonl|ebird [--out DIR] [filters]`: writes the
 * filtered detections in a format the field uses, streaming row by row; `--verified` keeps only
 * those a person marked correct. eBird records (ebird.ts) are one row per species per checklist
 * (`--checklist day|hour`), in the configured time zone. Raven writes one
 * selection table per recording, or one combined table with `--combined`; Audacity one label
 * track per recording; CSV and JSON lines one file each. By default only recordings whose audio
 * is kept are exported (a selection or label on audio that is gone points at nothing);
 * `--include-deleted` adds those whose audio was discarded, purged or went missing, and stderr
 * says how many detections were left out. `--out` must be a folder (created if needed); a file
 * there is refused by name. A progress line is drawn on stderr only when it is a terminal.
 * Prints the files written.
 */
import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { AcoupiError, ConfigError } from "../../errors.ts";
import { loadConfigured, type Configured } from "../../app/load-program.ts";
import { programSections } from "../../programs/program-sections.ts";
import { exportDetections } from "../../report/export/export-detections.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../../report/export/types.ts";
import { openMetadataSource } from "../../report/metadata-db.ts";
import { countDeletedDetections } from "../../components/stores/queries/listings.ts";
import type { ReportFilters } from "../../components/stores/queries/report-filters.ts";
import { FILTER_ARGS, LIMIT_ARG, parseFilters } from "./_report-args.ts";

/** Creates the --out folder, refusing a path that is something other than a folder. */
function prepareOutDir(raw: string): string {
  const outDir = resolve(raw);
  let kind: "folder" | "other" | null = null;
  try {
    kind = statSync(outDir).isDirectory() ? "folder" : "other";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (kind === "other") {
    throw new ConfigError(`--out "${outDir}" is a file, not a folder: an export writes its files into a folder`, {
      key: "out",
      help: "Give a folder with --out (it is created if needed), such as --out ./tables",
    });
  }
  if (kind === null) mkdirSync(outDir, { recursive: true });
  return outDir;
}

/** The configured program's time zone, for eBird's local dates; UTC when there is none (a copied database on a laptop). */
async function configuredTimeZone(copy: boolean): Promise<string> {
  let loaded: Configured;
  try {
    loaded = await loadConfigured();
  } catch (error) {
    if (copy && error instanceof AcoupiError && (error.code === "not-set-up" || error.code === "config")) return "UTC";
    throw error;
  }
  return programSections(loaded.config, { program: loaded.programName }).timezone ?? "UTC";
}

export default defineCommand({
  meta: { name: "export", description: "Export detections: `acoupi export --format raven --out ./tables --since 7d`" },
  args: {
    format: { type: "string", description: `One of ${EXPORT_FORMATS.join(", ")}`, required: true },
    out: { type: "string", description: "Folder to write into (created if needed)", default: "." },
    combined: { type: "boolean", description: "Raven: one table for all recordings (with Begin File) instead of one per recording" },
    checklist: { type: "string", description: "eBird: one checklist per local day (default) or hour", default: "day" },
    "include-deleted": { type: "boolean", description: "Also export detections of recordings whose audio was deleted (by default only kept recordings)" },
    ...FILTER_ARGS,
    ...LIMIT_ARG,
  },
  async run({ args }) {
    if (!EXPORT_FORMATS.includes(args.format as ExportFormat)) {
      throw new ConfigError(`Unknown export format "${args.format}": use one of ${EXPORT_FORMATS.join(", ")}`, { key: "format" });
    }
    if (args.checklist !== "day" && args.checklist !== "hour") throw new ConfigError(`Invalid --checklist "${args.checklist}": expected day or hour`, { key: "checklist" });
    const includeDeleted = args["include-deleted"] === true;
    const filters: ReportFilters = { ...parseFilters(args), keptOnly: !includeDeleted };
    const db = await openMetadataSource(args.db, args.root);
    const tty = process.stderr.isTTY === true;
    try {
      const outDir = prepareOutDir(args.out);
      const result = exportDetections(db, filters, {
        format: args.format as ExportFormat,
        outDir,
        combined: args.combined === true,
        checklist: args.checklist,
        timeZone: args.format === "ebird" ? await configuredTimeZone(args.db !== undefined) : undefined,
        onProgress: tty ? (rows) => process.stderr.write(`\rExported ${rows} detections…`) : undefined,
      });
      if (tty) process.stderr.write("\r\x1b[K");
      const files = result.files.length;
      process.stdout.write(`Exported ${result.rows} detections into ${files} ${files === 1 ? "file" : "files"} in ${outDir}\n`);
      for (const file of result.files.slice(0, 20)) process.stdout.write(`  ${file}\n`);
      if (files > 20) process.stdout.write(`  … and ${files - 20} more\n`);
      const skipped = includeDeleted ? 0 : countDeletedDetections(db, filters);
      if (skipped > 0) process.stderr.write(`Left out ${skipped} ${skipped === 1 ? "detection" : "detections"} of recordings whose audio was deleted (--include-deleted adds them)\n`);
    } finally {
      db.close();
    }
  },
});
