/**
 * @module What the dashboard shows, gathered for one page view: the status report (from disk,
 * exactly what `acoupi status` prints), the input level, the latest recordings, detections per label for today
 * and the last 7 UTC days, disk space, the outbox figures, the deployment, and the configuration
 * with secrets masked. Every database read is bounded by an index (latest N, or a 7-day range).
 */
import type { Database } from "bun:sqlite";
import { existsSync, statfsSync } from "node:fs";
import type { z } from "zod";
import { maskSecrets } from "../config/secrets.ts";
import { detectionsPerLabel, iterateDetections, iterateRecordings, type DetectionListRow, type RecordingListRow } from "../report/queries.ts";
import { LATEST_DETECTIONS } from "./review-section.ts";
import { buildStatus, type StatusReport } from "../system/status-report.ts";
import { latestInputLevel, type InputLevel } from "./input-level.ts";

export const LATEST_RECORDINGS = 6;
const DAY_MS = 86_400_000;

export interface LabelRow {
  label: string;
  /** The label's common name (BirdNET-style labels), or null. */
  common_name: string | null;
  /** Counts per day, oldest first, aligned with DashboardData.days. */
  perDay: number[];
  today: number;
  week: number;
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
  days: string[];
  labels: LabelRow[];
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
}

function disk(path: string | null): DashboardData["disk"] {
  if (path === null || !existsSync(path)) return null;
  const fs = statfsSync(path);
  return { path, freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
}

/** The last 7 UTC days, oldest first, ending today. */
export function lastSevenDays(now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: 7 }, (_, i) => new Date(today - (6 - i) * DAY_MS).toISOString().slice(0, 10));
}

function labelRows(db: Database, days: string[]): LabelRow[] {
  const byLabel = new Map<string, number[]>();
  const common = new Map<string, string>();
  const since = new Date(`${days[0]}T00:00:00.000Z`);
  for (const { bucket, label, common_name, count } of detectionsPerLabel(db, { since }, "day")) {
    if (common_name !== null) common.set(label, common_name);
    const i = days.indexOf(bucket);
    if (i < 0) continue;
    const counts = byLabel.get(label) ?? new Array<number>(days.length).fill(0);
    counts[i] = count;
    byLabel.set(label, counts);
  }
  return [...byLabel]
    .map(([label, perDay]) => ({ label, common_name: common.get(label) ?? null, perDay, today: perDay[perDay.length - 1] ?? 0, week: perDay.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.today - a.today || b.week - a.week || (a.label < b.label ? -1 : 1));
}

export function dashboardData(sources: DashboardSources, now = new Date()): DashboardData {
  const status = buildStatus();
  const days = lastSevenDays(now);
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
    days,
    labels: sources.db === null ? [] : labelRows(sources.db, days),
    detections: sources.db === null ? [] : [...iterateDetections(sources.db, { order: "newest", limit: LATEST_DETECTIONS })],
    config: maskSecrets(sources.configSchema, sources.programConfig),
  };
}
