/**
 * @module The per-day (or per-hour) summary of a deployment: recordings, hours recorded, disk
 * used by the files still on disk, detections per label, and the gaps in recording. Buckets are
 * UTC days or hours, as the times are stored. One pass over the recordings in time order finds
 * the gaps: a break between two recordings' starts of at least `gapS` seconds (by default twice
 * the recording interval, so at least one recording was missed). A gap's reason is known when the
 * schedule explains it ("outside the schedule", tested at both ends of the gap) or when the
 * deployment changed; otherwise the database cannot tell a stopped runner from a lost device.
 */
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import type { RecordingCondition } from "../components/conditions/types.ts";
import { detectionsPerLabel, iterateRecordings, type ReportFilters } from "./queries.ts";

export interface Gap {
  from: string;
  to: string;
  seconds: number;
  reason: string;
}

export interface SummaryBucket {
  bucket: string;
  recordings: number;
  hours: number;
  disk_bytes: number;
  detections: Record<string, number>;
  gaps: Gap[];
}

export interface SummaryOptions {
  by: "day" | "hour";
  /** A break of at least this many seconds between two recordings' starts is a gap. */
  gapS: number;
  /** The recording schedule, when known, to explain gaps. */
  schedule?: RecordingCondition;
}

export const UNKNOWN_REASON = "unknown (runner stopped, device or disk)";

function fileBytes(path: string | null): number {
  if (path === null) return 0;
  try {
    return statSync(path).size;
  } catch (error) {
    // A moved or deleted file uses no disk: the summary reports what is there now.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
}

function reasonFor(from: Date, to: Date, sameDeployment: boolean, options: SummaryOptions): string {
  if (!sameDeployment) return "between deployments";
  if (options.schedule === undefined) return UNKNOWN_REASON;
  const probeS = Math.min(options.gapS / 2, (to.getTime() - from.getTime()) / 2000);
  const first = options.schedule(new Date(from.getTime() + probeS * 1000));
  const last = options.schedule(new Date(to.getTime() - probeS * 1000));
  if (!first && !last) return "outside the schedule";
  if (!first || !last) return "outside the schedule (in part)";
  return UNKNOWN_REASON;
}

export function summarise(db: Database, filters: ReportFilters, options: SummaryOptions): SummaryBucket[] {
  const width = options.by === "day" ? 10 : 13;
  const buckets = new Map<string, SummaryBucket>();
  const bucketOf = (key: string): SummaryBucket => {
    let b = buckets.get(key);
    if (b === undefined) {
      b = { bucket: key, recordings: 0, hours: 0, disk_bytes: 0, detections: {}, gaps: [] };
      buckets.set(key, b);
    }
    return b;
  };
  let previous: { start: number; end: number; deployment: string; created_on: string } | null = null;
  const { label: _label, minScore: _minScore, limit: _limit, ...timeRange } = filters;
  for (const row of iterateRecordings(db, { ...timeRange, order: "oldest" })) {
    const b = bucketOf(row.created_on.slice(0, width));
    b.recordings += 1;
    b.hours += row.duration_s / 3600;
    if (row.state !== "discarded") b.disk_bytes += fileBytes(row.path);
    const start = Date.parse(row.created_on);
    if (previous !== null && start - previous.start >= options.gapS * 1000) {
      const from = new Date(previous.end);
      const to = new Date(start);
      bucketOf(previous.created_on.slice(0, width)).gaps.push({
        from: from.toISOString(),
        to: to.toISOString(),
        seconds: Math.round((start - previous.end) / 1000),
        reason: reasonFor(from, to, previous.deployment === row.deployment_id, options),
      });
    }
    previous = { start, end: start + row.duration_s * 1000, deployment: row.deployment_id, created_on: row.created_on };
  }
  for (const { bucket, label, count } of detectionsPerLabel(db, { ...timeRange, label: filters.label, minScore: filters.minScore }, options.by)) {
    bucketOf(bucket).detections[label] = count;
  }
  return [...buckets.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
}
