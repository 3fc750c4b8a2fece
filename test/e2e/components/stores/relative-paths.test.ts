/**
 * SqliteStore keeps a recording's path relative to `paths.recordings` or `paths.tmp_audio`
 * (schema v3, `path_root`), hands absolute paths to its callers, and migrates a v2 database's
 * absolute paths; a path under neither root stays absolute.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { storeMigrations } from "../../../../src/components/stores/_schema.ts";
import { SqliteStore } from "../../../../src/components/stores/sqlite-store.ts";
import type { Deployment, Recording } from "../../../../src/data/index.ts";
import { openSqlite } from "../../../../src/system/sqlite.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DEPLOYMENT: Deployment = { id: "00000000-0000-4000-8000-0000000000d1", name: "d", latitude: null, longitude: null, started_on: new Date("2024-01-01T00:00:00Z"), ended_on: null };

function recording(n: number, path: string): Recording {
  return { id: `00000000-0000-4000-8000-00000000000${n}`, created_on: new Date(Date.UTC(2024, 0, 1, 0, 0, n)), duration: 1, samplerate: 8000, deployment: DEPLOYMENT, path, audio_channels: 1, time_expansion: 1, bit_depth: 16 };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-relpaths-"));
  dirs.push(dir);
  return { dir, db: join(dir, "metadata.db"), roots: { recordings: join(dir, "recordings"), tmp: join(dir, "tmp") } };
}

function raw(db: string): Array<{ path: string | null; path_root: string | null }> {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.query<{ path: string | null; path_root: string | null }, []>("SELECT path, path_root FROM recordings ORDER BY created_on").all();
  } finally {
    conn.close();
  }
}

describe("SqliteStore relative paths", () => {
  test("stores temp and saved paths relative to their roots and returns them absolute", () => {
    const { db, roots } = setup();
    const store = new SqliteStore({ db_metadata: db }, { roots });
    const temp = recording(1, join(roots.tmp, "a.wav"));
    store.storeRecording(temp);
    store.storeRecording(recording(2, "/elsewhere/b.wav"));
    expect(raw(db)).toEqual([{ path: "a.wav", path_root: "tmp" }, { path: "/elsewhere/b.wav", path_root: null }]);
    expect(store.listRecordingsByState("temp").map((r) => r.recording.path).sort()).toEqual(["/elsewhere/b.wav", join(roots.tmp, "a.wav")]);

    const saved = join(roots.recordings, "2024/01/01/a.wav");
    store.updateRecordingPath(temp, saved, "saved");
    expect(raw(db)[0]).toEqual({ path: "2024/01/01/a.wav", path_root: "recordings" });
    expect(store.getRecordingsInfoByPath([saved]).map((r) => r.recording.path)).toEqual([saved]);
    // The same relative text under the other root is another file.
    expect(store.getRecordingsInfoByPath([join(roots.tmp, "2024/01/01/a.wav")])).toEqual([]);
    expect(store.listRetentionCandidates({ keepPerLabel: 0 }).map((c) => c.recording.path)).toEqual([saved]);
    store.markPurged(store.getRecordingsInfoByPath([saved])[0]!.recording, new Date());
    expect(raw(db)[0]).toEqual({ path: null, path_root: null });
    store.close();
  }, 60_000);

  test("migrates a version 2 database: paths under the roots become relative, others stay absolute", () => {
    const { db, roots } = setup();
    const v2 = openSqlite(db, { label: "v2", migrations: storeMigrations().slice(0, 2) });
    v2.run(`INSERT INTO deployments (id, name, started_on) VALUES ('${DEPLOYMENT.id}', 'd', '2024-01-01T00:00:00.000Z')`);
    const insert = v2.prepare("INSERT INTO recordings (id, deployment_id, created_on, duration_s, samplerate_hz, path, state) VALUES (?, ?, ?, 1, 8000, ?, ?)");
    insert.run(recording(1, "").id, DEPLOYMENT.id, "2024-01-01T00:00:01.000Z", join(roots.recordings, "x/1.wav"), "saved");
    insert.run(recording(2, "").id, DEPLOYMENT.id, "2024-01-01T00:00:02.000Z", join(roots.tmp, "2.wav"), "temp");
    insert.run(recording(3, "").id, DEPLOYMENT.id, "2024-01-01T00:00:03.000Z", "/mnt/other/3.wav", "saved");
    v2.close();

    const store = new SqliteStore({ db_metadata: db }, { roots });
    expect(raw(db)).toEqual([
      { path: "x/1.wav", path_root: "recordings" },
      { path: "2.wav", path_root: "tmp" },
      { path: "/mnt/other/3.wav", path_root: null },
    ]);
    expect(store.getRecordingsInfoByPath([join(roots.recordings, "x/1.wav")]).length).toBe(1);
    store.close();
    const conn = new Database(db, { readonly: true });
    expect(conn.query("PRAGMA user_version").get()).toEqual({ user_version: storeMigrations().length });
    conn.close();
  }, 60_000);
});

describe("the report commands on a database from before relative paths", () => {
  test("acoupi recordings --db reads a version 2 file read-only, with its absolute paths, and leaves it unchanged", async () => {
    const { db, roots } = setup();
    const v2 = openSqlite(db, { label: "v2", migrations: storeMigrations().slice(0, 2) });
    v2.run(`INSERT INTO deployments (id, name, started_on) VALUES ('${DEPLOYMENT.id}', 'd', '2024-01-01T00:00:00.000Z')`);
    v2.prepare("INSERT INTO recordings (id, deployment_id, created_on, duration_s, samplerate_hz, path, state) VALUES (?, ?, ?, 1, 8000, ?, 'saved')").run(
      recording(1, "").id, DEPLOYMENT.id, "2024-01-01T00:00:01.000Z", join(roots.recordings, "x/1.wav"),
    );
    v2.run("PRAGMA wal_checkpoint(TRUNCATE)");
    v2.close();
    const before = await Bun.file(db).bytes();
    const { makeTempHome, runAcoupi } = await import("../../../helpers/cli.ts");
    const home = makeTempHome();
    try {
      const listed = runAcoupi(["recordings", "--json", "--db", db], home.env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout.trim()).path).toBe(join(roots.recordings, "x/1.wav"));
      expect(Buffer.from(await Bun.file(db).bytes()).equals(Buffer.from(before))).toBe(true);
    } finally {
      home.cleanup();
    }
  }, 60_000);
});
