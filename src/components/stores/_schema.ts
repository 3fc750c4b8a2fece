/**
 * @module The metadata database schema and its migrations. It starts from acoupi 0.6's schema
 * (reference §5.1) and fixes its flaws: `time_expansion` is kept; recording times and
 * deployment starts are not UNIQUE (two recorders may start in the same second); timestamps are
 * fixed-width UTC ISO text ending in `Z`, so text order is time order; recordings carry a
 * `state` for file management and reconcile. UUIDs are stored as their canonical lowercase TEXT
 * (36 bytes instead of 16): the `sqlite3` CLI shows them as they appear in messages and logs,
 * and at a sensor's volume the size difference does not matter. Table names are plural, so an
 * acoupi 0.6 file (singular names) is recognised instead of misread. Indexes serve the queries
 * we run (by recording, by deployment, by time, by state, by path); acoupi's tag (key, value)
 * index is dropped because nothing filters on it and every index slows inserts.
 */
import type { Database } from "bun:sqlite";
import { StoreError } from "../../errors.ts";
import type { Migration, TableRebuild } from "../../system/sqlite-migrate.ts";
import { relativizePaths, type PathRoots } from "./_paths.ts";

const V1 = `
CREATE TABLE {schema}.deployments (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  latitude REAL,
  longitude REAL,
  started_on TEXT NOT NULL,
  ended_on TEXT
) STRICT;
CREATE INDEX {schema}.deployments_started_on ON deployments (started_on);

CREATE TABLE {schema}.recordings (
  id TEXT PRIMARY KEY NOT NULL,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  created_on TEXT NOT NULL,
  duration_s REAL NOT NULL CHECK (duration_s > 0),
  samplerate_hz INTEGER NOT NULL CHECK (samplerate_hz > 0),
  audio_channels INTEGER NOT NULL DEFAULT 1 CHECK (audio_channels >= 1),
  time_expansion REAL NOT NULL DEFAULT 1 CHECK (time_expansion > 0),
  path TEXT,
  state TEXT NOT NULL DEFAULT 'temp' CHECK (state IN ('temp', 'saved', 'discarded', 'missing'))
) STRICT;
CREATE INDEX {schema}.recordings_created_on ON recordings (created_on);
CREATE INDEX {schema}.recordings_deployment ON recordings (deployment_id);
CREATE INDEX {schema}.recordings_path ON recordings (path) WHERE path IS NOT NULL;
CREATE INDEX {schema}.recordings_state ON recordings (state, created_on);

CREATE TABLE {schema}.model_outputs (
  id TEXT PRIMARY KEY NOT NULL,
  recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  name_model TEXT NOT NULL,
  created_on TEXT NOT NULL
) STRICT;
CREATE INDEX {schema}.model_outputs_recording ON model_outputs (recording_id);
CREATE INDEX {schema}.model_outputs_created_on ON model_outputs (created_on);

CREATE TABLE {schema}.detections (
  id TEXT PRIMARY KEY NOT NULL,
  model_output_id TEXT NOT NULL REFERENCES model_outputs (id) ON DELETE CASCADE,
  prediction_type TEXT NOT NULL CHECK (prediction_type IN ('presence', 'sequence', 'event')),
  start_time_s REAL,
  low_freq_hz REAL,
  end_time_s REAL,
  high_freq_hz REAL,
  detection_score REAL NOT NULL
) STRICT;
CREATE INDEX {schema}.detections_model_output ON detections (model_output_id);

CREATE TABLE {schema}.predicted_tags (
  id INTEGER PRIMARY KEY,
  detection_id TEXT NOT NULL REFERENCES detections (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  confidence_score REAL NOT NULL
) STRICT;
CREATE INDEX {schema}.predicted_tags_detection ON predicted_tags (detection_id);
`;

function hasTable(db: Database, schema: string, name: string): boolean {
  const sql = `SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' AND name = ?`;
  return db.query<{ name: string }, [string]>(sql).get(name) !== null;
}

/** acoupi 0.6 also sets user_version 1, so its files are told apart by their table names. */
export function assertOwnSchema(db: Database, schema: string, file: string): void {
  if (hasTable(db, schema, "recording") && !hasTable(db, schema, "recordings")) {
    throw new StoreError(`The file "${file}" holds an acoupi 0.6 (Python) metadata database, whose schema this acoupi does not read`, {
      help: "Point db_metadata at a new file; keep the old one for the Python tools",
    });
  }
}

function createV1(db: Database, schema: string): void {
  db.run(V1.replaceAll("{schema}", schema));
}

const RECORDINGS_V2 = `
CREATE TABLE {schema}.recordings_v2 (
  id TEXT PRIMARY KEY NOT NULL,
  deployment_id TEXT NOT NULL REFERENCES deployments (id),
  created_on TEXT NOT NULL,
  duration_s REAL NOT NULL CHECK (duration_s > 0),
  samplerate_hz INTEGER NOT NULL CHECK (samplerate_hz > 0),
  audio_channels INTEGER NOT NULL DEFAULT 1 CHECK (audio_channels >= 1),
  time_expansion REAL NOT NULL DEFAULT 1 CHECK (time_expansion > 0),
  path TEXT,
  state TEXT NOT NULL DEFAULT 'temp' CHECK (state IN ('temp', 'saved', 'discarded', 'missing', 'purged')),
  purged_on TEXT,
  CHECK ((state = 'purged') = (purged_on IS NOT NULL))
) STRICT;
INSERT INTO {schema}.recordings_v2 (id, deployment_id, created_on, duration_s, samplerate_hz, audio_channels, time_expansion, path, state)
  SELECT id, deployment_id, created_on, duration_s, samplerate_hz, audio_channels, time_expansion, path, state FROM {schema}.recordings;
DROP TABLE {schema}.recordings;
ALTER TABLE {schema}.recordings_v2 RENAME TO recordings;
CREATE INDEX {schema}.recordings_created_on ON recordings (created_on);
CREATE INDEX {schema}.recordings_deployment ON recordings (deployment_id);
CREATE INDEX {schema}.recordings_path ON recordings (path) WHERE path IS NOT NULL;
CREATE INDEX {schema}.recordings_state ON recordings (state, created_on);
`;

/**
 * V2: the `purged` state (retention deleted the file) and `purged_on` (when). SQLite cannot alter
 * a CHECK, so the recordings table is rebuilt (foreign keys off, checked before commit); the
 * model outputs keep referring to `recordings` by name, which the new table is.
 */
const addPurgedState: TableRebuild = {
  rebuild: (db, schema) => db.run(RECORDINGS_V2.replaceAll("{schema}", schema)),
};

/**
 * V3: `path_root` (which root a relative `path` is under; null for an absolute path), and every
 * path under the given roots made relative. Without roots (a file opened by a tool that does not
 * know them) paths stay absolute until a store that knows them opens it.
 */
function addPathRoot(roots: PathRoots | undefined): Migration {
  return (db, schema) => {
    db.run(`ALTER TABLE ${schema}.recordings ADD COLUMN path_root TEXT CHECK (path_root IN ('recordings', 'tmp'))`);
    if (roots !== undefined) relativizePaths(db, schema, roots);
  };
}

/**
 * V4: `uploads`, one row per object the uploader sends to object storage (its key, the file's
 * SHA-256 and size, a multipart upload in progress with its parts' ETags, and when the upload
 * was confirmed). A recording counts as uploaded when a row for it has `uploaded_on`.
 */
const UPLOADS_V4 = `
CREATE TABLE {schema}.uploads (
  key TEXT PRIMARY KEY NOT NULL,
  recording_id TEXT REFERENCES recordings (id),
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL CHECK (bytes >= 0),
  upload_id TEXT,
  parts TEXT NOT NULL DEFAULT '[]',
  uploaded_on TEXT
) STRICT;
CREATE INDEX {schema}.uploads_recording ON uploads (recording_id) WHERE recording_id IS NOT NULL;
`;

/** The schema's migrations; `roots` lets the V3 step make existing paths relative. */
export function storeMigrations(roots?: PathRoots): readonly Migration[] {
  return [createV1, addPurgedState, addPathRoot(roots), UPLOADS_V4];
}

export const STORE_MIGRATIONS: readonly Migration[] = storeMigrations();
