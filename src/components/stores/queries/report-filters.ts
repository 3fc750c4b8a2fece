/**
 * @module The filters the report queries take (time range, label, score, deployment, kept audio,
 * verdicts, order and limit) and their translation into WHERE terms with named parameters, with
 * the column expressions those queries share: a recording's absolute and relative path (joined to
 * the connection's `temp.path_roots`, see path-roots.ts), a detection's label (its most confident
 * tag) and common name, and whether a recording's audio is kept. Internal to the queries: callers
 * use listings.ts and label-counts.ts.
 */
import { COMMON_NAME_KEY } from "../../../data/species-label.ts";
import { sqlTime } from "../../../system/sqlite-helpers.ts";

export interface ReportFilters {
  /** Recordings created at or after this time. */
  since?: Date;
  /** Recordings created before this time. */
  until?: Date;
  /** Detections whose label is this (case-insensitive); for recordings: having such a detection. */
  label?: string;
  /** Detections scoring at least this; for recordings: having such a detection. */
  minScore?: number;
  /** A deployment's id or name. */
  deployment?: string;
  /** At most this many rows. */
  limit?: number;
  /** Only recordings whose audio is kept (not discarded, missing or purged): what exports cover by default. */
  keptOnly?: boolean;
  /** Only detections a person marked `correct`; for recordings: having one. */
  verified?: boolean;
  /** Only detections nobody has reviewed yet. */
  unreviewed?: boolean;
  /** Oldest first (exports, summary) or newest first (listings, the web page). */
  order?: "oldest" | "newest";
}

/**
 * A recording's absolute path: a stored relative path joined to its root's folder, which the
 * connection holds in `temp.path_roots` (see open-metadata.ts); an absolute one as stored.
 */
export const PATH = `CASE WHEN r.path_root IS NULL THEN r.path ELSE (SELECT dir FROM temp.path_roots WHERE name = r.path_root) || '/' || r.path END AS path`;
/** Relative to the recordings folder, for tables that travel with the recordings (Raven's Begin Path). */
export const RELATIVE_PATH = "CASE WHEN r.path_root = 'recordings' THEN r.path END AS relative_path";
/** The two path columns of a recording `r`, for queries that list detections their own way (the page's). */
export const RECORDING_PATH_COLUMNS = `${PATH}, ${RELATIVE_PATH}`;

export type Params = Record<string, string | number>;

/**
 * Listings walk recordings in time order, so they name the created_on index: without ANALYZE
 * statistics SQLite may pick another index for a small LIMIT and sort every row (150 ms instead of
 * under 1 ms for the newest 3 of 100,000).
 */
export const BY_TIME = "recordings r INDEXED BY recordings_created_on";

export const TOP_TAG = `LEFT JOIN predicted_tags t ON t.id = (SELECT id FROM predicted_tags WHERE detection_id = d.id AND key <> '${COMMON_NAME_KEY}' ORDER BY confidence_score DESC, id LIMIT 1)`;
/** The common name beside the label, when the model split a `Genus species_Common Name` label. */
export const COMMON_NAME_OF = `(SELECT value FROM predicted_tags WHERE detection_id = d.id AND key = '${COMMON_NAME_KEY}' ORDER BY id LIMIT 1)`;
export const COMMON_NAME = `${COMMON_NAME_OF} AS common_name`;
/**
 * The most confident tag of any key (common names included), as the page's listings and charts
 * label a detection.
 */
export const TOP_TAG_ANY_KEY = "LEFT JOIN predicted_tags t ON t.id = (SELECT id FROM predicted_tags WHERE detection_id = d.id ORDER BY confidence_score DESC, id LIMIT 1)";

export function detectionConditions(filters: ReportFilters, where: string[], params: Params): void {
  if (filters.label !== undefined) {
    where.push(`(t.value = $label COLLATE NOCASE OR EXISTS (SELECT 1 FROM predicted_tags c WHERE c.detection_id = d.id AND c.key = '${COMMON_NAME_KEY}' AND c.value = $label COLLATE NOCASE))`);
    params.label = filters.label;
  }
  if (filters.minScore !== undefined) {
    where.push("d.detection_score >= $minScore");
    params.minScore = filters.minScore;
  }
  if (filters.verified === true) where.push("v.verdict = 'correct'");
  if (filters.unreviewed === true) where.push("v.verdict IS NULL");
}

/** Whether the filters look at detections (a recording then needs a matching one). */
export function filtersDetections(filters: ReportFilters): boolean {
  return filters.label !== undefined || filters.minScore !== undefined || filters.verified === true || filters.unreviewed === true;
}

export function recordingConditions(filters: ReportFilters, where: string[], params: Params): void {
  if (filters.since !== undefined) {
    where.push("r.created_on >= $since");
    params.since = sqlTime(filters.since);
  }
  if (filters.until !== undefined) {
    where.push("r.created_on < $until");
    params.until = sqlTime(filters.until);
  }
  if (filters.deployment !== undefined) {
    where.push("(dep.id = lower($deployment) OR dep.name = $deployment)");
    params.deployment = filters.deployment;
  }
  if (filters.keptOnly === true) where.push(`${KEPT} = 1`);
}

export const VERDICT_COLUMNS = "v.verdict AS verdict, v.species AS verdict_species, v.note AS verdict_note, v.reviewed_on AS reviewed_on";

/** 1 when the recording's audio is still there to open, as far as the database knows. */
export const KEPT = "(r.path IS NOT NULL AND r.state NOT IN ('discarded', 'missing', 'purged'))";

export function tail(filters: ReportFilters, where: string[], params: Params, order: string): string {
  let sql = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  sql += ` ORDER BY ${order}`;
  if (filters.limit !== undefined) {
    sql += " LIMIT $limit";
    params.limit = filters.limit;
  }
  return sql;
}

export function direction(filters: ReportFilters): "ASC" | "DESC" {
  return filters.order === "newest" ? "DESC" : "ASC";
}

