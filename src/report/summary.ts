/**
 * @module The per-day (or per-hour) summary of a deployment: recordings, hours recorded, disk
 * used by the files still on disk, detections per label, and the gaps in recording. Buckets are
 * UTC days or hours, as the times are stored. Where people reviewed detections (`acoupi review`),
 * each label's precision is given: correct / reviewed, every verdict counting as reviewed, so a
 * user sees which species' threshold to raise. One pass over the recordings in time order finds
 * the gaps: a break between two recordings' starts of at least `gapS` seconds (by default twice
 * the recording interval, so at least one recording was missed). A gap's reason is known when the
 * schedule explains it ("outside the schedule", tested at both ends of the gap) or when the
 * deployment changed; otherwise the database cannot tell a stopped runner from a lost device.
 */
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import type { RecordingCondition } from "../components/conditions/types.ts";
import { detectionsPerLabel, reviewsPerLabel } from "../components/stores/queries/label-counts.ts";
import { iterateRecordings } from "../components/stores/queries/listings.ts";
import type { ReportFilters } from "../components/stores/queries/report-filters.ts";

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
  /** Verdicts on this bucket's detections per label: reviewed, correct and precision (correct / reviewed). */
  reviews: Record<string, LabelPrecision>;
  gaps: Gap[];
}

export interface LabelPrecision {
  reviewed: number;
  correct: number;
  /** correct / reviewed, where reviewed counts every verdict (correct, false and uncertain). */
  precision: number;
}

/** The precision per label over all buckets, most reviewed first. */
export function precisionPerLabel(buckets: readonly SummaryBucket[]): Array<LabelPrecision & { label: string }> {
  const sums = new Map<string, { reviewed: number; correct: number }>();
  for (const b of buckets) {
    for (const [label, r] of Object.entries(b.reviews)) {
      const sum = sums.get(label) ?? { reviewed: 0, correct: 0 };
      sum.reviewed += r.reviewed;
      sum.correct += r.correct;
      sums.set(label, sum);
    }
  }
  return [...sums]
    .map(([label, s]) => ({ label, ...s, precision: s.correct / s.reviewed }))
    .sort((a, b) => b.reviewed - a.reviewed || (a.label < b.label ? -1 : 1));
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
      b = { bucket: key, recordings: 0, hours: 0, disk_bytes: 0, detections: {}, reviews: {}, gaps: [] };
      buckets.set(key, b);
    }
    return b;
  };
  let previous: { start: number; end: number; deployment: string; created_on: string } | null = null;
  const { label: _label, minScore: _minScore, limit: _limit, verified: _verified, unreviewed: _unreviewed, ...timeRange } = filters;
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
  const detectionFilters = { ...timeRange, label: filters.label, minScore: filters.minScore };
  for (const { bucket, label, count } of detectionsPerLabel(db, { ...detectionFilters, verified: filters.verified }, options.by)) {
    bucketOf(bucket).detections[label] = count;
  }
  for (const r of reviewsPerLabel(db, detectionFilters, options.by)) {
    bucketOf(r.bucket).reviews[r.label] = { reviewed: r.reviewed, correct: r.correct, precision: r.correct / r.reviewed };
  }
  return [...buckets.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
}
