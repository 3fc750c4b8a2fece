/**
 * @module `acoupi export --format csv|raven|audacity|jsonl [--out DIR] [filters]`: writes the
 * filtered detections in a format the field uses, streaming row by row. Raven writes one
 * selection table per recording, or one combined table with `--combined`; Audacity one label
 * track per recording; CSV and JSON lines one file each. A progress line is drawn on stderr only
 * when it is a terminal. Prints the files written.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { ConfigError } from "../../errors.ts";
import { exportDetections } from "../../report/export/export-detections.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../../report/export/types.ts";
import { openMetadataSource } from "../../report/metadata-db.ts";
import { FILTER_ARGS, LIMIT_ARG, parseFilters } from "./_report-args.ts";

export default defineCommand({
  meta: { name: "export", description: "Export detections: `acoupi export --format raven --out ./tables --since 7d`" },
  args: {
    format: { type: "string", description: `One of ${EXPORT_FORMATS.join(", ")}`, required: true },
    out: { type: "string", description: "Folder to write into (created if needed)", default: "." },
    combined: { type: "boolean", description: "Raven: one table for all recordings (with Begin File) instead of one per recording" },
    ...FILTER_ARGS,
    ...LIMIT_ARG,
  },
  async run({ args }) {
    if (!EXPORT_FORMATS.includes(args.format as ExportFormat)) {
      throw new ConfigError(`Unknown export format "${args.format}": use one of ${EXPORT_FORMATS.join(", ")}`, { key: "format" });
    }
    const filters = parseFilters(args);
    const outDir = resolve(args.out);
    mkdirSync(outDir, { recursive: true });
    const db = await openMetadataSource(args.db, args.root);
    const tty = process.stderr.isTTY === true;
    try {
      const result = exportDetections(db, filters, {
        format: args.format as ExportFormat,
        outDir,
        combined: args.combined === true,
        onProgress: tty ? (rows) => process.stderr.write(`\rExported ${rows} detections…`) : undefined,
      });
      if (tty) process.stderr.write("\r\x1b[K");
      const files = result.files.length;
      process.stdout.write(`Exported ${result.rows} detections into ${files} ${files === 1 ? "file" : "files"} in ${outDir}\n`);
      for (const file of result.files.slice(0, 20)) process.stdout.write(`  ${file}\n`);
      if (files > 20) process.stdout.write(`  … and ${files - 20} more\n`);
    } finally {
      db.close();
    }
  },
});
