/**
 * @module `acoupi detections`: the detections in the metadata database, newest recording first,
 * with their label (most confident tag), score, time and frequency box, verdict (`acoupi review`)
 * and the first 8 characters of the detection id (enough for `acoupi review`), as a table (at most
 * `--limit`, default 50) or as JSON lines with `--json` (streamed). With `--why`, the detections
 * the rules dropped instead, each with the rule (its config key) and the reason. Reads the
 * database read-only.
 */
import { defineCommand } from "citty";
import { openMetadataSource } from "../../report/metadata-db.ts";
import { detectionName } from "../../report/export/types.ts";
import { iterateDetections, type DetectionListRow } from "../../components/stores/queries/listings.ts";
import { renderTable, seconds, shortTime, type Column } from "../../report/table.ts";
import { FILTER_ARGS, LIMIT_ARG, parseFilters } from "./_report-args.ts";
import { TABLE_LIMIT } from "./recordings.ts";
import { listDropped, type DroppedRow } from "../../components/stores/queries/dropped.ts";

const WHY_COLUMNS: Column<DroppedRow>[] = [
  { title: "RECORDING (UTC)", value: (r) => shortTime(r.recording_created_on) },
  { title: "LABEL", value: (r) => r.label ?? "" },
  { title: "SCORE", value: (r) => r.score.toFixed(3), align: "right" },
  { title: "START", value: (r) => seconds(r.start_time_s), align: "right" },
  { title: "RULE", value: (r) => r.rule },
  { title: "WHY", value: (r) => r.reason },
];

const COLUMNS: Column<DetectionListRow>[] = [
  { title: "RECORDING (UTC)", value: (r) => shortTime(r.created_on) },
  { title: "LABEL", value: (r) => (r.label === null ? "" : detectionName(r)) },
  { title: "SCORE", value: (r) => r.score.toFixed(3), align: "right" },
  { title: "START", value: (r) => seconds(r.start_time_s), align: "right" },
  { title: "END", value: (r) => seconds(r.end_time_s), align: "right" },
  { title: "LOW HZ", value: (r) => seconds(r.low_freq_hz), align: "right" },
  { title: "HIGH HZ", value: (r) => seconds(r.high_freq_hz), align: "right" },
  { title: "VERDICT", value: (r) => (r.verdict === null ? "" : r.verdict_species === null ? r.verdict : `${r.verdict} (${r.verdict_species})`) },
  { title: "MODEL", value: (r) => r.model },
  { title: "DETECTION ID", value: (r) => r.detection_id.slice(0, 8) },
  { title: "RECORDING ID", value: (r) => r.recording_id },
];

export default defineCommand({
  meta: { name: "detections", description: "List the detections, newest first: `acoupi detections --label owl --min-score 0.8`" },
  args: {
    ...FILTER_ARGS,
    ...LIMIT_ARG,
    json: { type: "boolean", description: "Print JSON lines, one detection each" },
    why: { type: "boolean", description: "List the detections the rules dropped (range filter, species lists, thresholds, confirmation), with the rule" },
  },
  async run({ args }) {
    const filters = parseFilters(args);
    const db = await openMetadataSource(args.db, args.root);
    try {
      if (args.why) {
        const limit = filters.limit ?? (args.json ? undefined : TABLE_LIMIT);
        const rows = listDropped(db, { ...filters, ...(limit === undefined ? {} : { limit: limit + 1 }) });
        if (args.json) {
          for (const row of rows.slice(0, limit)) process.stdout.write(`${JSON.stringify(row)}\n`);
        } else if (rows.length === 0) {
          process.stdout.write("No dropped detections match.\n");
        } else {
          process.stdout.write(renderTable(WHY_COLUMNS, rows.slice(0, limit)));
          if (limit !== undefined && rows.length > limit) process.stdout.write(`(showing the newest ${limit}; use --limit or --json for more)\n`);
        }
        return;
      }
      if (args.json) {
        for (const row of iterateDetections(db, { ...filters, order: "newest" })) process.stdout.write(`${JSON.stringify(row)}\n`);
        return;
      }
      const limit = filters.limit ?? TABLE_LIMIT;
      const rows = [...iterateDetections(db, { ...filters, order: "newest", limit: limit + 1 })];
      if (rows.length === 0) {
        process.stdout.write("No detections match.\n");
        return;
      }
      process.stdout.write(renderTable(COLUMNS, rows.slice(0, limit)));
      if (rows.length > limit) process.stdout.write(`(showing the newest ${limit}; use --limit or --json for more)\n`);
    } finally {
      db.close();
    }
  },
});
