/**
 * @module SqliteStore: the metadata store on one bun:sqlite connection (WAL, FULL sync, see
 * src/system/sqlite.ts). Unlike acoupi it never invents a deployment, keeps `time_expansion`,
 * tracks each recording's file `state`, and offers `transaction(fn)` so the detection task can
 * write model outputs and outbox messages together (attach the outbox to `connection` with
 * SqliteMessageStore's `deps.connection`). Paths are stored relative to their root (`_paths.ts`);
 * the schema lives in `_schema.ts`, its prepared inserts in `_writes.ts`, the runner's readers in
 * `_rows.ts`; the readers of other processes (listings, exports, the page) are in `queries/`.
 */
import type { Database } from "bun:sqlite";
import type { ConsolaInstance } from "consola";
import { z } from "zod";
import type { Deployment, ModelOutput, Recording } from "../../data/index.ts";
import { homePath } from "../../config/types.ts";
import { StoreError } from "../../errors.ts";
import { damagedCopiesOf, openSqliteRecovering, type Synchronous } from "../../system/sqlite.ts";
import { chunks, placeholders, sqlTime, storeCall } from "../../system/sqlite-helpers.ts";
import type { ComponentStatus } from "../../data/component-status.ts";
import { logger } from "../../log.ts";
import { selectModelOutputInfos, selectModelOutputs, selectRecordingsAtPaths, selectRecordingsByState, toDeployment, type DeploymentRow } from "./_rows.ts";
import { selectRetentionCandidates } from "./_retention-rows.ts";
import { assertOwnSchema, storeMigrations } from "./_schema.ts";
import { toStored, type PathRoots } from "./_paths.ts";
import { assertState, deploymentRow, insertModelOutput, prepareInserts, unknownRecording, type Inserts, type Row } from "./_writes.ts";
import { ensureReviewTable } from "./_review-table.ts";
import { readActivity, readPredictedTags } from "./_activity.ts";
import type { ActivityStore, ModelOutputInfo, PredictedTagRow, RecordingState, RecordingWithOutputs, RetentionCandidate, Store, StoreActivity } from "./types.ts";

export const SqliteStoreConfigSchema = z.object({
  db_metadata: homePath("storages/metadata.db").describe("SQLite file describing deployments, recordings and detections"),
});
export type SqliteStoreConfig = z.input<typeof SqliteStoreConfigSchema>;

export interface SqliteStoreDeps {
  /** FULL by default; NORMAL only for benchmarks and scratch files. */
  synchronous?: Synchronous;
  /** Where moving a damaged file aside is reported; logger("store") by default. */
  logger?: ConsolaInstance;
  /** `paths.recordings` and `paths.tmp_audio`: paths under them are stored relative (`_paths.ts`). */
  roots?: PathRoots;
}

export class SqliteStore implements Store, ActivityStore {
  readonly #db: Database;
  readonly #path: string;
  readonly #recoveredFrom: string | null;
  readonly #roots: PathRoots | undefined;
  readonly #inserts: Inserts;

  constructor(config: SqliteStoreConfig, deps: SqliteStoreDeps = {}) {
    const { db_metadata } = SqliteStoreConfigSchema.parse(config);
    this.#path = db_metadata;
    this.#roots = deps.roots;
    // A damaged file is moved aside and a fresh one started: recording must not stop for it.
    const opened = openSqliteRecovering(db_metadata, { label: "metadata store", migrations: storeMigrations(deps.roots), synchronous: deps.synchronous, recognise: assertOwnSchema });
    this.#db = opened.db;
    this.#recoveredFrom = opened.movedTo;
    if (opened.movedTo !== null) {
      (deps.logger ?? logger("store")).error(`${opened.damage}; moved it to ${opened.movedTo} and started a fresh one. The recordings in temp are adopted again`);
    }
    try {
      assertOwnSchema(this.#db, "main", db_metadata);
      ensureReviewTable(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#inserts = prepareInserts(this.#db);
  }

  /** Where the damaged file this store replaced at open was moved; null when it opened a sound one. */
  get recoveredFrom(): string | null {
    return this.#recoveredFrom;
  }

  /** Degraded while a damaged copy moved aside (by this start or an earlier one) lies beside the file. */
  status(): ComponentStatus {
    const damaged = damagedCopiesOf(this.#path);
    return {
      degraded: damaged.length > 0 ? `the database was damaged and replaced by a fresh one; the damaged file is ${damaged.at(-1)}` : null,
      figures: { damaged_files: damaged.length },
    };
  }

  /** The open connection, for SqliteMessageStore to attach the outbox to (shared transactions). */
  get connection(): Database {
    return this.#db;
  }

  /** The folders stored paths are relative to (undefined: stored as given). */
  get roots(): PathRoots | undefined {
    return this.#roots;
  }

  get path(): string {
    return this.#path;
  }

  getCurrentDeployment(): Deployment | null {
    return storeCall("read the current deployment", () => {
      const sql = "SELECT * FROM deployments ORDER BY started_on DESC, rowid DESC LIMIT 1";
      const row = this.#db.query<DeploymentRow, []>(sql).get();
      return row === null ? null : toDeployment(row);
    });
  }

  storeDeployment(deployment: Deployment): void {
    storeCall(`store deployment ${deployment.id}`, () => this.#inserts.deployment.run(deploymentRow(deployment)));
  }

  updateDeployment(deployment: Deployment): void {
    const result = storeCall(`update deployment ${deployment.id}`, () =>
      this.#db
        .query("UPDATE deployments SET name = $name, latitude = $latitude, longitude = $longitude, ended_on = $ended_on WHERE id = $id")
        .run({
          id: deployment.id.toLowerCase(),
          name: deployment.name,
          latitude: deployment.latitude,
          longitude: deployment.longitude,
          ended_on: deployment.ended_on === null ? null : sqlTime(deployment.ended_on),
        }),
    );
    if (result.changes === 0) {
      throw new StoreError(`Cannot update deployment ${deployment.id}: it is not in the metadata store`, {
        help: "Store the deployment first (acoupi deployment start)",
      });
    }
  }

  storeRecording(recording: Recording): void {
    storeCall(`store recording ${recording.id}`, () =>
      this.transaction(() => {
        this.#inserts.deployment.run(deploymentRow(recording.deployment));
        this.#inserts.recording.run({
          id: recording.id.toLowerCase(),
          deployment_id: recording.deployment.id.toLowerCase(),
          created_on: sqlTime(recording.created_on),
          duration_s: recording.duration,
          samplerate_hz: recording.samplerate,
          audio_channels: recording.audio_channels,
          time_expansion: recording.time_expansion,
          ...this.#stored(recording.path),
        });
      }),
    );
  }

  storeModelOutputs(outputs: ModelOutput[]): void {
    if (outputs.length === 0) return;
    this.#assertRecordingsStored(outputs);
    storeCall(`store ${outputs.length} model outputs`, () =>
      this.transaction(() => {
        for (const output of outputs) insertModelOutput(this.#inserts, output);
      }),
    );
  }

  #assertRecordingsStored(outputs: readonly ModelOutput[]): void {
    const wanted = new Map(outputs.map((o) => [o.recording.id.toLowerCase(), o.recording]));
    const found = new Set<string>();
    storeCall("look up recordings", () => {
      for (const part of chunks([...wanted.keys()])) {
        const sql = `SELECT id FROM recordings WHERE id IN (${placeholders(part.length)})`;
        for (const row of this.#db.query<{ id: string }, string[]>(sql).all(...part)) found.add(row.id);
      }
    });
    const missing = [...wanted].filter(([id]) => !found.has(id)).map(([id, r]) => `id=${id}, path=${r.path ?? "none"}`);
    if (missing.length === 0) return;
    const shown = missing.slice(0, 5).join("; ") + (missing.length > 5 ? `; and ${missing.length - 5} more` : "");
    throw new StoreError(`Cannot store model outputs: these recordings are not in the metadata store: ${shown}`, {
      help: "Store the recordings first with storeRecording()",
    });
  }

  getRecordingsInfoByPath(paths: string[]): Array<{ recording: Recording; modelOutputs: ModelOutputInfo[] }> {
    return storeCall("read recordings by path", () => {
      const recordings = selectRecordingsAtPaths(this.#db, paths, this.#roots);
      const infos = selectModelOutputInfos(this.#db, recordings.map((r) => r.id));
      return recordings.map((recording) => ({ recording, modelOutputs: infos.get(recording.id) ?? [] }));
    });
  }

  listRetentionCandidates(options: { keepPerLabel: number }): RetentionCandidate[] {
    return storeCall("list recordings retention may delete", () => selectRetentionCandidates(this.#db, options.keepPerLabel, this.#roots));
  }

  markPurged(recording: Recording, at: Date): void {
    const result = storeCall(`mark recording ${recording.id} purged`, () =>
      this.#db
        .query("UPDATE recordings SET path = NULL, path_root = NULL, state = 'purged', purged_on = $at WHERE id = $id")
        .run({ id: recording.id.toLowerCase(), at: sqlTime(at) }),
    );
    if (result.changes === 0) throw unknownRecording(recording.id);
  }

  countPurged(): number {
    return storeCall("count purged recordings", () => {
      return this.#db.query<{ n: number }, []>("SELECT count(*) AS n FROM recordings WHERE state = 'purged'").get()?.n ?? 0;
    });
  }

  updateRecordingPath(recording: Recording, path: string | null, state?: RecordingState): Recording {
    if (state !== undefined) assertState(state);
    if (state === "purged") throw new StoreError(`Cannot set recording ${recording.id} to purged by its path: use markPurged`);
    const result = storeCall(`update the path of recording ${recording.id}`, () =>
      this.#db
        .query("UPDATE recordings SET path = $path, path_root = $path_root, state = coalesce($state, state) WHERE id = $id")
        .run({ id: recording.id.toLowerCase(), ...this.#stored(path), state: state ?? null }),
    );
    if (result.changes === 0) throw unknownRecording(recording.id);
    return { ...recording, path };
  }

  activity(range: { after: Date; before: Date }): StoreActivity {
    return storeCall("read the activity", () => readActivity(this.#db, range));
  }

  getPredictedTags(range: { after: Date; before: Date }): PredictedTagRow[] {
    return storeCall("read predicted tags", () => readPredictedTags(this.#db, range));
  }

  listRecordingsByState(state: RecordingState, options: { limit?: number } = {}): RecordingWithOutputs[] {
    assertState(state);
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means no limit
    return storeCall(`list ${state} recordings`, () => this.#withOutputs(selectRecordingsByState(this.#db, state, limit, this.#roots)));
  }

  /**
   * BEGIN IMMEDIATE: a write transaction takes the write lock first, so another writer on the same
   * file (`acoupi analyze --jobs`, or `--db` naming a runner's database) makes it wait out the busy
   * timeout instead of failing with "database is locked" when a read would upgrade to a write.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  close(): void {
    storeCall("close the metadata store", () => {
      this.#db.run("PRAGMA optimize");
      this.#db.close();
    });
  }

  /** The `path` and `path_root` columns for an absolute path. */
  #stored(path: string | null): Row {
    const stored = toStored(path, this.#roots);
    return { path: stored.path, path_root: stored.root };
  }

  #withOutputs(recordings: Recording[]): RecordingWithOutputs[] {
    const outputs = selectModelOutputs(this.#db, recordings);
    return recordings.map((recording) => ({ recording, modelOutputs: outputs.get(recording.id) ?? [] }));
  }
}
