/**
 * @module `acoupi recordings`: the recordings in the metadata database, newest first, as a table
 * (at most `--limit`, default 50) or as JSON lines with `--json` (streamed, every match unless
 * `--limit`). Each row's id and path go on a line of their own under it, so the table fits a
 * 100-column terminal. Reads the database read-only.
 */
import { defineCommand } from "citty";
import { openMetadataSource } from "../../report/metadata-db.ts";
import { iterateRecordings, type RecordingListRow } from "../../components/stores/queries/listings.ts";
import { renderTable, seconds, shortTime, type Column } from "../../report/table.ts";
import { FILTER_ARGS, LIMIT_ARG, parseFilters } from "./_report-args.ts";

export const TABLE_LIMIT = 50;

const COLUMNS: Column<RecordingListRow>[] = [
  { title: "CREATED (UTC)", value: (r) => shortTime(r.created_on) },
  { title: "SECONDS", value: (r) => seconds(r.duration_s), align: "right" },
  { title: "HZ", value: (r) => String(r.samplerate_hz), align: "right" },
  { title: "DETECTIONS", value: (r) => String(r.detections), align: "right" },
  { title: "STATE", value: (r) => r.state },
  { title: "DEPLOYMENT", value: (r) => r.deployment_name },
];

export default defineCommand({
  meta: { name: "recordings", description: "List the recordings, newest first: `acoupi recordings --since 24h`" },
  args: { ...FILTER_ARGS, ...LIMIT_ARG, json: { type: "boolean", description: "Print JSON lines, one recording each" } },
  async run({ args }) {
    const filters = parseFilters(args);
    const db = await openMetadataSource(args.db, args.root);
    try {
      if (args.json) {
        for (const row of iterateRecordings(db, { ...filters, order: "newest" })) process.stdout.write(`${JSON.stringify(row)}\n`);
        return;
      }
      const limit = filters.limit ?? TABLE_LIMIT;
      const rows = [...iterateRecordings(db, { ...filters, order: "newest", limit: limit + 1 })];
      if (rows.length === 0) {
        process.stdout.write("No recordings match.\n");
        return;
      }
      process.stdout.write(renderTable(COLUMNS, rows.slice(0, limit), (r) => `${r.id}  ${r.path ?? "(no file)"}`));
      if (rows.length > limit) process.stdout.write(`(showing the newest ${limit}; use --limit or --json for more)\n`);
    } finally {
      db.close();
    }
  },
});
