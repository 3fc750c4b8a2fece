/**
 * @module `acoupi summary`: per UTC day (or `--by hour`) the recordings, hours recorded, disk
 * used, detections per label and gaps in recording, as a table with the precision of reviewed
 * detections per label (correct / reviewed) and the gaps listed below it, or
 * one JSON line per day with `--json`. The recording interval and schedule come from the
 * configured program when there is one (they explain the gaps); `--gap` overrides the threshold.
 */
import { defineCommand } from "citty";
import { recordingSchedule } from "../../components/conditions/recording-schedule.ts";
import type { RecordingCondition } from "../../components/conditions/types.ts";
import { ConfigError } from "../../errors.ts";
import { openMetadataSource } from "../../report/metadata-db.ts";
import { precisionPerLabel, summarise, type SummaryBucket } from "../../report/summary.ts";
import { renderTable, type Column } from "../../report/table.ts";
import { loadConfigured, type Configured } from "../../app/load-program.ts";
import { programSections, type ProgramSections } from "../../programs/program-sections.ts";
import { FILTER_ARGS, parseFilters } from "./_report-args.ts";

const DEFAULT_GAP_S = 60;

async function configured(): Promise<ProgramSections | null> {
  let loaded: Configured;
  try {
    loaded = await loadConfigured();
  } catch (error) {
    // With --db on a laptop there may be no program set up: the summary works without one.
    if (error instanceof Error && "code" in error && (error.code === "not-set-up" || error.code === "config")) return null;
    throw error;
  }
  return programSections(loaded.config, { program: loaded.programName });
}

function scheduleOf(config: ProgramSections | null): RecordingCondition | undefined {
  const r = config?.recording;
  if (!config?.timezone || !r?.schedule_start || !r.schedule_end) return undefined;
  return recordingSchedule({ timezone: config.timezone, recording: { schedule_start: r.schedule_start, schedule_end: r.schedule_end } });
}

function labels(b: SummaryBucket): string {
  return Object.entries(b.detections).map(([label, n]) => `${label}:${n}`).join(" ");
}

const COLUMNS: Column<SummaryBucket>[] = [
  { title: "UTC", value: (b) => b.bucket },
  { title: "RECORDINGS", value: (b) => String(b.recordings), align: "right" },
  { title: "HOURS", value: (b) => b.hours.toFixed(2), align: "right" },
  { title: "DISK MB", value: (b) => (b.disk_bytes / 1e6).toFixed(1), align: "right" },
  { title: "GAPS", value: (b) => String(b.gaps.length), align: "right" },
  { title: "DETECTIONS", value: labels },
];

const PRECISION_COLUMNS: Column<ReturnType<typeof precisionPerLabel>[number]>[] = [
  { title: "LABEL", value: (p) => p.label },
  { title: "REVIEWED", value: (p) => String(p.reviewed), align: "right" },
  { title: "CORRECT", value: (p) => String(p.correct), align: "right" },
  { title: "PRECISION", value: (p) => `${Math.round(p.precision * 100)}%`, align: "right" },
];

export default defineCommand({
  meta: { name: "summary", description: "Recordings, hours, disk, detections per label and gaps, per day or hour" },
  args: {
    ...FILTER_ARGS,
    by: { type: "string", description: "day or hour", default: "day" },
    gap: { type: "string", description: "A break of at least this many seconds is a gap (default: twice the recording interval)" },
    json: { type: "boolean", description: "Print JSON lines, one per day or hour" },
  },
  async run({ args }) {
    if (args.by !== "day" && args.by !== "hour") throw new ConfigError(`Invalid --by "${args.by}": expected day or hour`, { key: "by" });
    const filters = parseFilters(args);
    const config = await configured();
    const interval = config?.recording?.interval;
    const gapS = args.gap !== undefined ? Number(args.gap) : interval !== undefined ? 2 * interval : DEFAULT_GAP_S;
    if (!Number.isFinite(gapS) || gapS <= 0) throw new ConfigError(`Invalid --gap "${args.gap}": expected seconds above 0`, { key: "gap" });
    const db = await openMetadataSource(args.db, args.root);
    let buckets: SummaryBucket[];
    try {
      buckets = summarise(db, filters, { by: args.by, gapS, schedule: scheduleOf(config) });
    } finally {
      db.close();
    }
    if (args.json) {
      for (const b of buckets) process.stdout.write(`${JSON.stringify(b)}\n`);
      return;
    }
    if (buckets.length === 0) {
      process.stdout.write("No recordings match.\n");
      return;
    }
    let out = renderTable(COLUMNS, buckets);
    const precision = precisionPerLabel(buckets);
    if (precision.length > 0) {
      out += "\nPrecision of reviewed detections (correct / reviewed):\n";
      out += renderTable(PRECISION_COLUMNS, precision);
    }
    const gaps = buckets.flatMap((b) => b.gaps);
    if (gaps.length > 0) {
      out += `\nGaps (breaks of ${gapS} s or more):\n`;
      for (const g of gaps) out += `  ${g.from} → ${g.to}  ${g.seconds} s  ${g.reason}\n`;
    }
    process.stdout.write(out);
  },
});
