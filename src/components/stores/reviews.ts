/**
 * @module Verdicts on detections: a person says a detection is `correct`, `false` or `uncertain`,
 * optionally with the species it really was and a note. They live in their own table,
 * `detection_reviews` (one row per detection, the latest verdict wins), created with
 * `CREATE TABLE IF NOT EXISTS` by the store when it opens and by every writer, so it needs no
 * schema version of its own and is added to a database of any version without a rebuild. Its
 * rows refer to detections by id, so table rebuilds (which run with foreign keys off) keep them,
 * and a backup of the file carries them. Readers of an older file, opened read-only, may find no
 * such table: `reviewJoin` then joins an empty one, so every listing still works.
 */
import type { Database } from "bun:sqlite";
import { dirname, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import { AcoupiError, StoreError } from "../../errors.ts";
import { assertOwnSchema, STORE_MIGRATIONS } from "./_schema.ts";
import { openSqlite } from "../../system/sqlite.ts";
import { sqlTime } from "../../system/sqlite-helpers.ts";
import { ensureReviewTable } from "./_review-table.ts";
import type { PathRoots } from "./_paths.ts";
import { installPathRoots } from "./queries/path-roots.ts";

export { ensureReviewTable };

export const VERDICTS = ["correct", "false", "uncertain"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Who set the verdict: the CLI or the web page. */
export type ReviewSource = "cli" | "web";

export interface Review {
  detection_id: string;
  verdict: Verdict;
  /** The species it really was, when the reviewer gave one. */
  species: string | null;
  note: string | null;
  /** UTC ISO time the verdict was set. */
  reviewed_on: string;
  source: ReviewSource;
}

export interface ReviewInput {
  /** The detection's full id, or a unique prefix of at least 8 characters. */
  id: string;
  verdict: Verdict;
  species?: string | null;
  note?: string | null;
  source: ReviewSource;
  now?: Date;
}

/** The detection id that was asked for matches no detection (or, as a prefix, several). */
export class UnknownDetectionError extends AcoupiError {
  constructor(message: string, help: string) {
    super("unknown-detection", message, { help });
  }
}

export function hasReviewTable(db: Database): boolean {
  return db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'detection_reviews'").get() !== null;
}

const NO_REVIEWS = "(SELECT NULL AS detection_id, NULL AS verdict, NULL AS species, NULL AS note, NULL AS reviewed_on WHERE 0)";

/** `LEFT JOIN … v` for queries over detections `d`: the verdicts, or an empty table on a file that has none. */
export function reviewJoin(db: Database): string {
  return `LEFT JOIN ${hasReviewTable(db) ? "detection_reviews" : NO_REVIEWS} v ON v.detection_id = d.id`;
}

/** Opens the metadata database for writing verdicts: migrated as the store would, with the verdicts table. */
export function openMetadataForReview(path: string, roots?: PathRoots): Database {
  // openSqlite would create a missing file: a verdict on a database that is not there is an error.
  if (!existsSync(path)) {
    throw new StoreError(`There is no metadata database at "${resolve(path)}" yet, so there is no detection to review`, {
      help: "Pass the database file with --db PATH",
    });
  }
  const db = openSqlite(path, { label: "metadata database", migrations: STORE_MIGRATIONS, recognise: assertOwnSchema });
  try {
    assertOwnSchema(db, "main", resolve(path));
    ensureReviewTable(db);
    // The listings a review pass prints resolve stored paths as the report commands do.
    installPathRoots(db, roots ?? { recordings: join(dirname(resolve(path)), "recordings"), tmp: join(dirname(resolve(path)), "tmp") });
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

const MIN_PREFIX = 8;

/** The full id of the detection `id` names (any case; a unique prefix of 8+ characters will do). */
export function resolveDetectionId(db: Database, id: string): string {
  const wanted = id.trim().toLowerCase();
  const exact = db.query<{ id: string }, [string]>("SELECT id FROM detections WHERE id = ?").get(wanted);
  if (exact !== null) return exact.id;
  const list = "Run `acoupi detections` to list detections with their ids";
  if (wanted.length < MIN_PREFIX || !/^[0-9a-f-]+$/.test(wanted)) {
    throw new UnknownDetectionError(`There is no detection "${id}": nothing was changed`, list);
  }
  const rows = db.query<{ id: string }, [string, string]>("SELECT id FROM detections WHERE id >= ? AND id < ? LIMIT 2").all(wanted, `${wanted}\u{10ffff}`);
  if (rows.length === 0) throw new UnknownDetectionError(`There is no detection "${id}": nothing was changed`, list);
  if (rows.length > 1) throw new UnknownDetectionError(`The id "${id}" starts more than one detection: nothing was changed`, "Give more of the id");
  return (rows[0] as { id: string }).id;
}

/** Sets (or replaces) a detection's verdict; throws UnknownDetectionError, changing nothing, for an unknown id. */
export function setReview(db: Database, input: ReviewInput): Review {
  return db.transaction((): Review => {
    const detection_id = resolveDetectionId(db, input.id);
    const review: Review = {
      detection_id,
      verdict: input.verdict,
      species: blankToNull(input.species),
      note: blankToNull(input.note),
      reviewed_on: sqlTime(input.now ?? new Date()),
      source: input.source,
    };
    db.query(
      `INSERT INTO detection_reviews (detection_id, verdict, species, note, reviewed_on, source)
       VALUES ($detection_id, $verdict, $species, $note, $reviewed_on, $source)
       ON CONFLICT (detection_id) DO UPDATE SET verdict = excluded.verdict, species = excluded.species,
         note = excluded.note, reviewed_on = excluded.reviewed_on, source = excluded.source`,
    ).run({ ...review });
    return review;
  }).immediate();
}

/** A detection's verdict, or null when it has none (or the file has no verdicts table). */
export function getReview(db: Database, detectionId: string): Review | null {
  if (!hasReviewTable(db)) return null;
  return db.query<Review, [string]>("SELECT detection_id, verdict, species, note, reviewed_on, source FROM detection_reviews WHERE detection_id = ?").get(detectionId.toLowerCase());
}

function blankToNull(value: string | null | undefined): string | null {
  const text = value?.trim() ?? "";
  return text === "" ? null : text;
}

export function isVerdict(value: unknown): value is Verdict {
  return typeof value === "string" && (VERDICTS as readonly string[]).includes(value);
}
