/**
 * @module A metadata database on a read-only medium (a read-only bind mount as root, a folder
 * without write bits otherwise), with rows still in its -wal and no -shm beside it, as a card
 * pulled from a running sensor holds it. `recordings`, `detections`, `summary` and `export` of the
 * compiled binary read every row, the -wal's included, and the medium is left byte for byte as it
 * was.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildBinary, runBinary, runner } from "../../helpers/binaries.ts";
import { makeTempHome, type TempHome } from "../../helpers/cli.ts";
import { canViewReadOnly, readOnlyView, type Mounted } from "../../helpers/mounts.ts";
import { RECORDINGS, writeToneDb } from "../../helpers/tone-db.ts";

// As root a read-only bind mount is needed; where mount is forbidden there is no read-only medium to test.
const withReadOnlyMedium = canViewReadOnly() ? describe : describe.skip;

withReadOnlyMedium("a metadata database on a read-only medium", () => {
  let home: TempHome;
  let card: string;
  let view: Mounted;
  let before: Map<string, string>;
  let binary: ReturnType<typeof runner>;

  function snapshot(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      out.set(name, `${statSync(path).mtimeMs} ${new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex")}`);
    }
    return out;
  }

  beforeAll(() => {
    binary = runner(buildBinary("x64"));
    home = makeTempHome("acoupi-readonly-db-");
    const live = mkdtempSync(join(home.home, "live-"));
    // The store stays open, so its rows are still in the -wal when the files are copied to the "card".
    const db = writeToneDb(live, { keepOpen: true });
    card = join(home.home, "card");
    mkdirSync(card);
    copyFileSync(db.path, join(card, "metadata.db"));
    copyFileSync(`${db.path}-wal`, join(card, "metadata.db-wal"));
    db.store?.close();
    expect(statSync(join(card, "metadata.db-wal")).size).toBeGreaterThan(0);
    view = readOnlyView(card);
    before = snapshot(view.path);
  }, 120_000);
  afterAll(() => {
    view?.release();
    home?.cleanup();
  });

  function cli(args: string[]) {
    return runBinary(binary, args, home.env);
  }

  test("the copied database holds its rows only in the -wal: opened as immutable it shows none", () => {
    const { Database, constants } = require("bun:sqlite") as typeof import("bun:sqlite");
    const db = new Database(`file:${join(view.path, "metadata.db")}?immutable=1`, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI);
    try {
      expect((db.query("SELECT count(*) AS n FROM recordings").get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });

  test("recordings, detections, summary and export read every row, the -wal's included, without touching the medium", () => {
    const db = join(view.path, "metadata.db");
    const recordings = cli(["recordings", "--db", db, "--json"]);
    expect(recordings.code, recordings.stderr).toBe(0);
    expect(recordings.stdout.trim().split("\n").map((l) => JSON.parse(l)).length).toBe(RECORDINGS);
    const detections = cli(["detections", "--db", db, "--json"]);
    expect(detections.code, detections.stderr).toBe(0);
    expect(detections.stdout.trim().split("\n").map((l) => JSON.parse(l)).length).toBe(RECORDINGS);
    const summary = cli(["summary", "--db", db, "--since", "2024-01-01"]);
    expect(summary.code, summary.stderr).toBe(0);
    const out = join(home.home, "exported");
    const exported = cli(["export", "--format", "jsonl", "--include-deleted", "--db", db, "--out", out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(join(out, "detections.jsonl"), "utf8").trim().split("\n").length).toBe(RECORDINGS);
    for (const result of [recordings, detections, summary, exported]) expect(result.stderr).not.toContain("SQLiteError");
    expect(snapshot(view.path)).toEqual(before);
    expect(existsSync(join(view.path, "metadata.db-shm"))).toBe(false);
  });
});
