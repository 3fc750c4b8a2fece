/**
 * @module The verdicts table, `detection_reviews`: one row per reviewed detection (the latest
 * verdict wins). It is created with `IF NOT EXISTS` whenever the store or a verdict writer opens
 * the file, not by a numbered migration, so it joins a database of any schema version without a
 * rebuild and without taking a version number that another change needs. Its rows refer to
 * detections by id; table rebuilds run with foreign keys off, so they keep the verdicts.
 */
import type { Database } from "bun:sqlite";

const TABLE = `CREATE TABLE IF NOT EXISTS {schema}.detection_reviews (
  detection_id TEXT PRIMARY KEY NOT NULL REFERENCES detections (id) ON DELETE CASCADE,
  verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'false', 'uncertain')),
  species TEXT,
  note TEXT,
  reviewed_on TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('cli', 'web'))
) STRICT;
CREATE INDEX IF NOT EXISTS {schema}.detection_reviews_verdict ON detection_reviews (verdict);`;

/** Creates the verdicts table when it is not there yet (idempotent; needs a writable connection). */
export function ensureReviewTable(db: Database, schema = "main"): void {
  db.run(TABLE.replaceAll("{schema}", schema));
}
