/**
 * @module Reads and writes of the metadata store that only tests need (by id, by path, and
 * marking a state directly), kept out of the Store interface so that it holds only what the
 * tasks use. They run on the SqliteStore's own connection with the store's row readers.
 */
import { selectModelOutputs, selectRecordingsAtPaths, selectRecordingsById } from "../../src/components/stores/_rows.ts";
import type { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { RecordingState, RecordingWithOutputs } from "../../src/components/stores/types.ts";
import type { Recording } from "../../src/data/index.ts";
import { StoreError } from "../../src/errors.ts";

export interface StoreReads {
  getRecordings(ids: string[]): RecordingWithOutputs[];
  getRecordingsByPath(paths: string[]): RecordingWithOutputs[];
  markRecording(id: string, state: RecordingState): void;
}

export function storeReads(store: SqliteStore): StoreReads {
  const db = store.connection;
  const withOutputs = (recordings: Recording[]): RecordingWithOutputs[] => {
    const outputs = selectModelOutputs(db, recordings);
    return recordings.map((recording) => ({ recording, modelOutputs: outputs.get(recording.id) ?? [] }));
  };
  return {
    getRecordings: (ids) => withOutputs(selectRecordingsById(db, ids.map((id) => id.toLowerCase()), store.roots)),
    getRecordingsByPath: (paths) => withOutputs(selectRecordingsAtPaths(db, paths, store.roots)),
    markRecording(id, state) {
      const result = db.query("UPDATE recordings SET state = ? WHERE id = ?").run(state, id.toLowerCase());
      if (result.changes === 0) throw new StoreError(`Recording ${id} is not stored`);
    },
  };
}
