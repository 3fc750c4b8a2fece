/**
 * @module What the page's listings read: a page of detections (newest first, filtered by species,
 * score, local day and verdict, "older" by a cursor), a page of recordings, one detection by id,
 * and a species' best recent detections. A page never splits a
 * recording's detections: it ends after the recording that fills it, and its cursor is that
 * recording's time, so "older" continues exactly where it stopped. The charts' counts are in
 * hourly-detections.ts (kept in memory by web/hourly-counts.ts).
 */
import type { Database } from "bun:sqlite";
import { iterateDetections, iterateRecordings, type DetectionListRow, type RecordingListRow } from "./listings.ts";
import { RECORDING_PATH_COLUMNS, TOP_TAG_ANY_KEY } from "./report-filters.ts";
import { hasReviewTable, reviewJoin } from "../reviews.ts";

export const PAGE_SIZE = 20;
export const VERDICT_FILTERS = ["any", "none", "correct", "false", "uncertain"] as const;
export type VerdictFilter = (typeof VERDICT_FILTERS)[number];

export interface DetectionQuery {
  species?: string;
  minScore?: number;
  /** UTC bounds of the day asked for (a local day in the page's zone). */
  since?: Date;
  until?: Date;
  verdict: VerdictFilter;
  /** Only recordings created before this (the cursor of the previous page). */
  before?: Date;
  limit?: number;
}

export interface Page<T> {
  rows: T[];
  /** The cursor for "older", or null on the last page. */
  older: string | null;
}

function earlier(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

/** Detections with a verdict, newest first, driven by the verdicts' index (reviews are few; detections may be millions). */
function reviewedDetections(db: Database, q: DetectionQuery, until: Date | undefined): IterableIterator<DetectionListRow> {
  if (!hasReviewTable(db)) return [][Symbol.iterator]();
  const where = ["v.verdict = $verdict"];
  const params: Record<string, string | number> = { verdict: q.verdict };
  if (q.species !== undefined) (where.push("t.value = $species COLLATE NOCASE"), (params.species = q.species));
  if (q.minScore !== undefined) (where.push("d.detection_score >= $minScore"), (params.minScore = q.minScore));
  if (q.since !== undefined) (where.push("r.created_on >= $since"), (params.since = q.since.toISOString()));
  if (until !== undefined) (where.push("r.created_on < $until"), (params.until = until.toISOString()));
  const sql = `SELECT ${DETECTION_COLUMNS} FROM detection_reviews v INDEXED BY detection_reviews_verdict
    JOIN detections d ON d.id = v.detection_id JOIN model_outputs m ON m.id = d.model_output_id
    JOIN recordings r ON r.id = m.recording_id JOIN deployments dep ON dep.id = r.deployment_id ${TOP_TAG_ANY_KEY}
    WHERE ${where.join(" AND ")} ORDER BY r.created_on DESC, r.rowid DESC, coalesce(d.start_time_s, 0), d.rowid`;
  return db.query<DetectionListRow, [Record<string, string | number>]>(sql).iterate(params);
}

export function detectionsPage(db: Database, q: DetectionQuery): Page<DetectionListRow> {
  const limit = q.limit ?? PAGE_SIZE;
  const rows: DetectionListRow[] = [];
  const until = earlier(q.until, q.before);
  const it =
    q.verdict === "any" || q.verdict === "none"
      ? iterateDetections(db, {
          order: "newest",
          ...(q.species !== undefined ? { label: q.species } : {}),
          ...(q.minScore !== undefined ? { minScore: q.minScore } : {}),
          ...(q.since !== undefined ? { since: q.since } : {}),
          ...(until !== undefined ? { until } : {}),
          ...(q.verdict === "none" ? { unreviewed: true } : {}),
        })
      : reviewedDetections(db, q, until);
  let older: string | null = null;
  for (const row of it) {
    const last = rows[rows.length - 1];
    if (rows.length >= limit && last !== undefined && row.created_on !== last.created_on) {
      older = last.created_on;
      break;
    }
    rows.push(row);
  }
  it.return?.();
  return { rows, older };
}

export function recordingsPage(db: Database, before: Date | undefined, limit = PAGE_SIZE): Page<RecordingListRow> {
  const rows = [...iterateRecordings(db, { order: "newest", limit: limit + 1, ...(before !== undefined ? { until: before } : {}) })];
  const more = rows.length > limit;
  if (more) rows.pop();
  // Recordings may share a start time only across deployments; the cursor is the last one shown.
  return { rows, older: more ? (rows[rows.length - 1]?.created_on ?? null) : null };
}

const DETECTION_COLUMNS = `d.id AS detection_id, r.id AS recording_id, r.created_on, ${RECORDING_PATH_COLUMNS}, r.duration_s, r.samplerate_hz,
  r.audio_channels, r.time_expansion, dep.id AS deployment_id, dep.name AS deployment_name, r.state AS recording_state, m.name_model AS model,
  d.prediction_type, d.start_time_s, d.end_time_s, d.low_freq_hz, d.high_freq_hz, d.detection_score AS score,
  t.key AS tag_key, t.value AS label, t.confidence_score AS label_score,
  v.verdict AS verdict, v.species AS verdict_species, v.note AS verdict_note, v.reviewed_on AS reviewed_on`;

/** One detection by id (any case), or null. */
export function findDetection(db: Database, id: string): DetectionListRow | null {
  const sql = `SELECT ${DETECTION_COLUMNS} FROM detections d JOIN model_outputs m ON m.id = d.model_output_id
    JOIN recordings r ON r.id = m.recording_id JOIN deployments dep ON dep.id = r.deployment_id ${TOP_TAG_ANY_KEY} ${reviewJoin(db)}
    WHERE d.id = lower($id)`;
  return db.query<DetectionListRow, [Record<string, string>]>(sql).get({ id });
}

/** How many of a species' latest detections the "best scoring" list looks at. */
export const BEST_POOL = 2000;

/**
 * A species' best detections since `since`, best first, from its latest BEST_POOL there (walking
 * recordings newest first by their index, as the listings do, rather than scoring every detection
 * of the period); `capped` says when the period held more.
 */
export function bestDetections(db: Database, species: string, since: Date, limit = 5): { rows: DetectionListRow[]; capped: boolean } {
  const pool = [...iterateDetections(db, { label: species, since, order: "newest", limit: BEST_POOL + 1 })];
  const capped = pool.length > BEST_POOL;
  if (capped) pool.pop();
  return { rows: pool.sort((a, b) => b.score - a.score || (a.created_on < b.created_on ? 1 : -1)).slice(0, limit), capped };
}

/** Whether any detection ever carried this label (a species page for an unknown one is a 404). */
export function speciesExists(db: Database, species: string): string | null {
  const row = db.query<{ value: string }, [Record<string, string>]>("SELECT value FROM predicted_tags WHERE value = $species COLLATE NOCASE LIMIT 1").get({ species });
  return row?.value ?? null;
}
