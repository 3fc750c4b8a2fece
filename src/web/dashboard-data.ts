/**
 * @module What the dashboard shows, gathered for one page view: the status report (from disk,
 * exactly what `acoupi status` prints), the input level, the latest recordings, detections per
 * species per local hour for the last 7 days in the page's zone (today's hours and a 7-day strip), disk space, the outbox figures, the deployment, and the configuration
 * with secrets masked. Every database read is bounded by an index (latest N, or a 7-day range).
 */
import type { Database } from "bun:sqlite";
import { existsSync, statfsSync } from "node:fs";
import type { z } from "zod";
import { maskSecrets } from "../config/secrets.ts";
import { iterateDetections, iterateRecordings, type DetectionListRow, type RecordingListRow } from "../components/stores/queries/listings.ts";
import { LATEST_DETECTIONS } from "./review-section.ts";
import { buildStatus, type StatusReport } from "../status/status-report.ts";
import { latestInputLevel, type InputLevel } from "./input-level.ts";
import type { HourlyCounts } from "./hourly-counts.ts";
import { localHourCounts } from "./species-page.ts";
import { lastLocalDays } from "./time-zone.ts";

export const LATEST_RECORDINGS = 6;

export interface Overview {
  /** The last 7 local days, oldest first; the last is today. */
  days: string[];
  /** Species seen in those days, most detected first. */
  species: string[];
  /** Counts by `species|date|hour` (local). */
  cells: Map<string, number>;
  /** False while earlier detections are still being counted (the charts are then partial). */
  complete: boolean;
}

export interface DashboardData {
  now: Date;
  programName: string;
  status: StatusReport;
  lastRecording: RecordingListRow | null;
  /** Expected start of the next recording (last start + interval), when known. */
  nextRecording: Date | null;
  disk: { path: string; freeBytes: number; totalBytes: number } | null;
  level: InputLevel | null;
  outbox: Record<string, number | string | null> | null;
  recordings: Array<RecordingListRow & { playable: boolean }>;
  /** The page's time zone. */
  zone: string;
  overview: Overview;
  /** The newest detections with their verdicts, for the review buttons. */
  detections: DetectionListRow[];
  config: unknown;
}

export interface DashboardSources {
  db: Database | null;
  programName: string;
  configSchema: z.ZodType;
  programConfig: unknown;
  recordingIntervalS: number | null;
  /** The folder whose filesystem the disk line describes. */
  diskPath: string | null;
  zone: string;
  /** The page's running per-hour counts (hourly-counts.ts). */
  counts: HourlyCounts;
}

function disk(path: string | null): DashboardData["disk"] {
  if (path === null || !existsSync(path)) return null;
  const fs = statfsSync(path);
  return { path, freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
}

function overview(db: Database | null, counts: HourlyCounts, now: Date, zone: string): Overview {
  const days = lastLocalDays(now, zone, 7);
  if (db === null) return { days, species: [], cells: new Map(), complete: true };
  const cells = localHourCounts(db, counts, null, days, zone);
  const totals = new Map<string, number>();
  for (const [key, n] of cells) {
    const species = key.slice(0, key.lastIndexOf("|", key.lastIndexOf("|") - 1));
    totals.set(species, (totals.get(species) ?? 0) + n);
  }
  const species = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([s]) => s);
  return { days, species, cells, complete: counts.complete };
}

export function dashboardData(sources: DashboardSources, now = new Date()): DashboardData {
  const status = buildStatus();
  const recordings = sources.db === null ? [] : [...iterateRecordings(sources.db, { order: "newest", limit: LATEST_RECORDINGS })];
  const lastRecording = recordings[0] ?? null;
  const nextRecording =
    lastRecording !== null && sources.recordingIntervalS !== null && status.runner.running
      ? new Date(Date.parse(lastRecording.created_on) + sources.recordingIntervalS * 1000)
      : null;
  return {
    now,
    programName: sources.programName,
    status,
    lastRecording,
    nextRecording,
    disk: disk(sources.diskPath),
    level: sources.db === null ? null : latestInputLevel(sources.db),
    outbox: status.status?.components.outbox ?? null,
    recordings: recordings.map((r) => ({ ...r, playable: r.path !== null && r.state !== "discarded" && existsSync(r.path) })),
    zone: sources.zone,
    overview: overview(sources.db, sources.counts, now, sources.zone),
    detections: sources.db === null ? [] : [...iterateDetections(sources.db, { order: "newest", limit: LATEST_DETECTIONS })],
    config: maskSecrets(sources.configSchema, sources.programConfig),
  };
}
