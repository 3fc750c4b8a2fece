/**
 * @module SqliteStore on real temp files: the Store contract, plus what only SQLite has (WAL,
 * schema version, reopening, integrity, the on-disk formats, sharing a transaction with the
 * outbox).
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../../../src/components/message-stores/sqlite-message-store.ts";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { STORE_MIGRATIONS } from "../../../src/components/stores/_schema.ts";
import { createMessage } from "../../../src/data/index.ts";
import { StoreError } from "../../../src/errors.ts";
import { modelOutput, recording, storeContract } from "../../contracts/store.contract.ts";
import { storeReads } from "../../helpers/store-reads.ts";

const dir = mkdtempSync(join(tmpdir(), "acoupi-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `metadata-${++n}.db`);

storeContract("SqliteStore", () => {
  const path = freshPath();
  const store = new SqliteStore({ db_metadata: path });
  return { store, reads: storeReads(store), cleanup: () => store.close() };
});

function pragma(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return Object.values(db.query(`PRAGMA ${name}`).get() as Record<string, unknown>)[0];
  } finally {
    db.close();
  }
}

describe("SqliteStore", () => {
  test("SqliteStore opens its file in WAL mode with the schema version set", () => {
    const path = freshPath();
    const store = new SqliteStore({ db_metadata: path });
    const db = store.connection;
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 2 }); // FULL
    expect(db.query("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 });
    store.close();
    expect(pragma(path, "user_version")).toBe(STORE_MIGRATIONS.length);
    expect(pragma(path, "journal_mode")).toBe("wal");
  });

  test("SqliteStore keeps its data when the file is reopened, and the file passes integrity_check", () => {
    const path = join(dir, "nested", "dir", "metadata.db");
    const rec = recording({ time_expansion: 10 });
    const out = modelOutput(rec);
    const first = new SqliteStore({ db_metadata: path });
    first.storeRecording(rec);
    first.storeModelOutputs([out]);
    storeReads(first).markRecording(rec.id, "saved");
    first.close();
    const again = new SqliteStore({ db_metadata: path });
    expect(storeReads(again).getRecordings([rec.id])).toEqual([{ recording: rec, modelOutputs: [out] }]);
    expect(again.listRecordingsByState("saved")).toHaveLength(1);
    again.close();
    expect(pragma(path, "integrity_check")).toBe("ok");
  });

  test("SqliteStore round-trips time_expansion, which acoupi 0.6 lost", () => {
    const path = freshPath();
    const store = new SqliteStore({ db_metadata: path });
    const rec = recording({ time_expansion: 12.5 });
    store.storeRecording(rec);
    store.close();
    const again = new SqliteStore({ db_metadata: path });
    expect(storeReads(again).getRecordings([rec.id])[0]?.recording.time_expansion).toBe(12.5);
    again.close();
  });

  test("SqliteStore writes UTC times as sortable ISO text ending in Z and UUIDs as lowercase text", () => {
    const path = freshPath();
    const store = new SqliteStore({ db_metadata: path });
    const rec = recording({ id: crypto.randomUUID().toUpperCase(), created_on: new Date("2024-05-01T14:03:00Z") });
    store.storeRecording(rec);
    const row = store.connection.query("SELECT id, created_on, state FROM recordings").get();
    expect(row).toEqual({ id: rec.id.toLowerCase(), created_on: "2024-05-01T14:03:00.000Z", state: "temp" });
    expect(storeReads(store).getRecordings([rec.id])[0]?.recording.id).toBe(rec.id.toLowerCase());
    store.close();
  });

  test("SqliteStore refuses a file written by a newer schema", () => {
    const path = freshPath();
    const db = new Database(path, { create: true });
    db.run("PRAGMA user_version = 99");
    db.close();
    expect(() => new SqliteStore({ db_metadata: path })).toThrow(StoreError);
  });

  test("SqliteStore refuses an acoupi 0.6 metadata file instead of misreading it", () => {
    const path = freshPath();
    const db = new Database(path, { create: true });
    db.run("CREATE TABLE recording (id BLOB PRIMARY KEY, path TEXT); PRAGMA user_version = 1;");
    db.close();
    expect(() => new SqliteStore({ db_metadata: path })).toThrow(/acoupi 0.6/);
  });

  test("model outputs and outbox messages in one store transaction commit or roll back together", () => {
    const store = new SqliteStore({ db_metadata: freshPath() });
    const outboxPath = freshPath();
    const outbox = new SqliteMessageStore({ messages_db: outboxPath }, { connection: store.connection });
    const rec = recording();
    store.storeRecording(rec);
    const kept = modelOutput(rec);
    store.transaction(() => {
      store.storeModelOutputs([kept]);
      outbox.storeMessage(createMessage("detection", "{}"));
    });
    expect(() =>
      store.transaction(() => {
        store.storeModelOutputs([modelOutput(rec)]);
        outbox.storeMessage(createMessage("detection", "{}"));
        throw new Error("model crashed");
      }),
    ).toThrow("model crashed");
    expect(storeReads(store).getRecordings([rec.id])[0]?.modelOutputs).toEqual([kept]);
    expect(outbox.stats().pending).toBe(1);
    outbox.close();
    store.close();
    // The outbox file is a standalone outbox too.
    const alone = new SqliteMessageStore({ messages_db: outboxPath });
    expect(alone.getUnsentMessages()).toHaveLength(1);
    alone.close();
  });

  test("the outbox cannot share the metadata store's own file", () => {
    const path = freshPath();
    const store = new SqliteStore({ db_metadata: path });
    expect(() => new SqliteMessageStore({ messages_db: path }, { connection: store.connection })).toThrow(StoreError);
    store.close();
    expect(() => new SqliteMessageStore({ messages_db: path })).toThrow(/not an acoupi outbox/);
  });
});
