/**
 * @module Verdicts through the real CLI on the fixture database (five detections: b001 Strix 0.9,
 * b002 Troglodytes 0.4, b003 Strix 0.7, b004 Troglodytes 0.95, b005 Strix 0.6): `acoupi review`
 * by id, the listings and exports that carry the verdict, `--verified`, the precision in
 * `summary`, an unknown id that changes nothing, the interactive `--label` pass on a real
 * pseudo-terminal, and verdicts kept by the store's migrations from schema v1.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { STORE_MIGRATIONS } from "../../../src/components/stores/_schema.ts";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { ensureReviewTable, getReview, setReview } from "../../../src/components/stores/reviews.ts";
import { openSqlite } from "../../../src/system/sqlite.ts";
import { schemaVersion } from "../../../src/system/sqlite-migrate.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { runOnPty } from "../../helpers/pty.ts";
import { writeFixtureDb, type FixtureDb } from "../../helpers/fixture-db.ts";

const id = (n: number) => `00000000-0000-4000-8000-00000000b00${n}`;

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every row of the verdicts table and the detections, to tell whether anything changed. */
function snapshot(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const reviews = db.query("SELECT name FROM sqlite_master WHERE name = 'detection_reviews'").get() === null ? [] : db.query("SELECT * FROM detection_reviews ORDER BY detection_id").all();
    return JSON.stringify({ reviews, detections: db.query("SELECT * FROM detections ORDER BY id").all() });
  } finally {
    db.close();
  }
}

describe("acoupi review", () => {
  let home: TempHome;
  let fixture: FixtureDb;
  beforeAll(() => {
    home = makeTempHome("acoupi-review-");
    fixture = writeFixtureDb(home.home);
  });
  afterAll(() => home.cleanup());
  const run = (args: string[]) => runAcoupi([...args, "--db", fixture.path], home.env);

  test("verdicts set by id are listed, exported, kept by --verified and give each label's precision in summary", () => {
    expect(run(["review", id(1), "--correct"]).stdout).toBe(`Detection ${id(1)}: correct\n`);
    const corrected = run(["review", id(3), "--false", "--species", "Bubo bubo", "--note", "deep hoot"]);
    expect(corrected.code).toBe(0);
    expect(corrected.stdout).toBe(`Detection ${id(3)}: false (species Bubo bubo, note "deep hoot")\n`);
    expect(run(["review", id(5), "--uncertain"]).code).toBe(0);
    // The id in any case will do, and a new verdict replaces the old one.
    expect(run(["review", id(4).toUpperCase(), "--false"]).code).toBe(0);
    expect(run(["review", id(4), "--correct"]).code).toBe(0);

    const listed = jsonLines(run(["detections", "--json"]).stdout);
    const verdicts = Object.fromEntries(listed.map((r) => [r.detection_id, [r.verdict, r.verdict_species, r.verdict_note]]));
    expect(verdicts).toEqual({
      [id(1)]: ["correct", null, null],
      [id(2)]: [null, null, null],
      [id(3)]: ["false", "Bubo bubo", "deep hoot"],
      [id(4)]: ["correct", null, null],
      [id(5)]: ["uncertain", null, null],
    });
    const table = run(["detections"]).stdout.split("\n");
    expect(table[0]).toContain("VERDICT");
    expect(table.find((l) => l.includes("a002") && l.includes("0.700"))).toContain("false (Bubo bubo)");

    const out = mkdtempSync(join(home.home, "verified-"));
    const exported = run(["export", "--format", "csv", "--verified", "--out", out, "--include-deleted"]);
    expect(exported.code).toBe(0);
    const csv = readFileSync(join(out, "detections.csv"), "utf8").trimEnd().split("\r\n");
    expect(csv.slice(1).map((l) => l.split(",")[0])).toEqual([id(1), id(4)]);
    expect(csv.slice(1).every((l) => l.endsWith(",correct,"))).toBe(true);

    const raven = mkdtempSync(join(home.home, "raven-"));
    expect(run(["export", "--format", "raven", "--combined", "--out", raven]).code).toBe(0);
    const [header, ...rows] = readFileSync(join(raven, "detections.selections.txt"), "utf8").trimEnd().split("\n");
    const column = (header ?? "").split("\t").indexOf("Verdict");
    expect(column).toBeGreaterThan(6);
    // The kept recordings with detections, oldest first: b001 and b002 (rec1), b003 (rec2), b004 (rec4), b005 (rec5).
    expect(rows.map((r) => r.split("\t")[column])).toEqual(["correct", "", "false: Bubo bubo", "correct", "uncertain"]);

    const audacity = mkdtempSync(join(home.home, "audacity-"));
    expect(run(["export", "--format", "audacity", "--out", audacity]).code).toBe(0);
    expect(readFileSync(join(audacity, "rec2.labels.txt"), "utf8")).toBe("0.000000\t1.000000\tStrix aluco 0.70 [false: Bubo bubo]\n\\\t800.000000\t3500.000000\n");

    const summary = run(["summary"]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain("Precision of reviewed detections (correct / reviewed):");
    // Strix aluco: b001 correct, b003 false, b005 uncertain → 1 of 3; Troglodytes: b004 correct → 1 of 1.
    expect(summary.stdout).toMatch(/Strix aluco\s+3\s+1\s+33%/);
    expect(summary.stdout).toMatch(/Troglodytes troglodytes\s+1\s+1\s+100%/);
    const days = jsonLines(run(["summary", "--json"]).stdout);
    expect(days.map((d) => d.reviews)).toEqual([
      { "Strix aluco": { reviewed: 2, correct: 1, precision: 0.5 } },
      { "Strix aluco": { reviewed: 1, correct: 0, precision: 0 }, "Troglodytes troglodytes": { reviewed: 1, correct: 1, precision: 1 } },
    ]);
  }, 120_000);

  test("an unknown id, a missing verdict or two verdicts are refused by name and change nothing", () => {
    const before = snapshot(fixture.path);
    const unknown = run(["review", "00000000-0000-4000-8000-0000000fffff", "--correct"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('There is no detection "00000000-0000-4000-8000-0000000fffff": nothing was changed');
    expect(unknown.stderr).toContain("acoupi detections");
    const ambiguous = run(["review", "00000000-0000", "--correct"]);
    expect(ambiguous.code).not.toBe(0);
    expect(ambiguous.stderr).toContain("starts more than one detection");
    const none = run(["review", id(2)]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("--correct, --false or --uncertain");
    const two = run(["review", id(2), "--correct", "--false"]);
    expect(two.code).not.toBe(0);
    expect(two.stderr).toContain("Give one verdict, not --correct and --false");
    expect(snapshot(fixture.path)).toBe(before);
    // A database that is not there is not created by a review.
    const missing = join(home.home, "nowhere.db");
    const absent = runAcoupi(["review", id(1), "--correct", "--db", missing], home.env);
    expect(absent.code).not.toBe(0);
    expect(absent.stderr).toContain("There is no metadata database at");
    expect(existsSync(missing)).toBe(false);
  }, 60_000);

  test("review --label walks the unreviewed detections of one label on a terminal, printing the clip and the spectrogram command", () => {
    const dir = mkdtempSync(join(home.home, "pass-"));
    const own = writeFixtureDb(dir);
    const result = runOnPty(
      ["review", "--label", "Strix aluco", "--db", own.path],
      [
        { expect: "\\[1/3\\] Strix aluco[\\s\\S]*Verdict:", send: "x\r" },
        { expect: "Answer c, f, u, s or q", send: "c\r" },
        { expect: "\\[2/3\\][\\s\\S]*Verdict:", send: "f Bubo bubo # deep hoot\r" },
        { expect: "\\[3/3\\][\\s\\S]*Verdict:", send: "q\r" },
      ],
      home.env,
    );
    expect(result.failed).toBeNull();
    expect(result.code).toBe(0);
    expect(result.transcript).toContain("3 unreviewed detections labelled \"Strix aluco\", oldest first.");
    expect(result.transcript).toContain(`clip         ${join(dir, "rec1.wav")}  at 0.5–1.5 s, 1000–4000 Hz`);
    expect(result.transcript).toContain(`spectrogram  acoupi spectrogram 00000000-0000-4000-8000-00000000a001 --start 0 --end 2 --out 00000000.png --db "${own.path}"`);
    expect(result.transcript).toContain("Reviewed 2: 1 correct, 1 false, 0 uncertain; 0 skipped.");
    const db = new Database(own.path, { readonly: true });
    try {
      expect(getReview(db, id(1))).toMatchObject({ verdict: "correct", species: null, source: "cli" });
      expect(getReview(db, id(3))).toMatchObject({ verdict: "false", species: "Bubo bubo", note: "deep hoot" });
      expect(getReview(db, id(5))).toBeNull();
    } finally {
      db.close();
    }
    // The next pass offers only what is still unreviewed.
    const again = runOnPty(["review", "--label", "Strix aluco", "--db", own.path], [{ expect: "\\[1/1\\][\\s\\S]*a005[\\s\\S]*Verdict:", send: "u\r" }], home.env);
    expect(again.failed).toBeNull();
    expect(again.transcript).toContain("Reviewed 1: 0 correct, 0 false, 1 uncertain");
  }, 120_000);
});

describe("verdicts and the store's migrations", () => {
  test("verdicts in a schema v1 file are kept through every migration the store runs, and the CLI lists them", () => {
    const home = makeTempHome("acoupi-review-migrate-");
    try {
      // The fixture at today's schema gives the rows; a v1 file gets them copied in, with verdicts.
      const source = writeFixtureDb(home.home);
      const path = join(home.home, "v1.db");
      const v1 = openSqlite(path, { label: "test", migrations: STORE_MIGRATIONS.slice(0, 1), synchronous: "NORMAL" });
      v1.run(`ATTACH DATABASE '${source.path}' AS src`);
      v1.run("INSERT INTO deployments SELECT * FROM src.deployments");
      v1.run("INSERT INTO recordings SELECT id, deployment_id, created_on, duration_s, samplerate_hz, audio_channels, time_expansion, path, state FROM src.recordings");
      for (const table of ["model_outputs", "detections", "predicted_tags"]) v1.run(`INSERT INTO ${table} SELECT * FROM src.${table}`);
      v1.run("DETACH DATABASE src");
      ensureReviewTable(v1);
      setReview(v1, { id: id(2), verdict: "false", species: "Erithacus rubecula", note: "a robin", source: "cli" });
      setReview(v1, { id: id(4), verdict: "correct", source: "web" });
      expect(schemaVersion(v1)).toBe(1);
      v1.close();

      const store = new SqliteStore({ db_metadata: path }, { synchronous: "NORMAL" });
      expect(schemaVersion(store.connection)).toBe(STORE_MIGRATIONS.length);
      store.close();
      const listed = jsonLines(runAcoupi(["detections", "--json", "--db", path], home.env).stdout);
      const reviewed = listed.filter((r) => r.verdict !== null).map((r) => [r.detection_id, r.verdict, r.verdict_species, r.verdict_note]);
      expect(reviewed.sort()).toEqual([
        [id(2), "false", "Erithacus rubecula", "a robin"],
        [id(4), "correct", null, null],
      ]);
    } finally {
      home.cleanup();
    }
  }, 60_000);

  test("a file opened read-only without a verdicts table still lists, exports and summarises", () => {
    const home = makeTempHome("acoupi-review-old-");
    try {
      const fixture = writeFixtureDb(home.home);
      const db = new Database(fixture.path);
      db.run("DROP TABLE detection_reviews");
      db.close();
      const listed = jsonLines(runAcoupi(["detections", "--json", "--db", fixture.path], home.env).stdout);
      expect(listed).toHaveLength(5);
      expect(listed.every((r) => r.verdict === null)).toBe(true);
      const verified = runAcoupi(["detections", "--verified", "--db", fixture.path], home.env);
      expect(verified.stdout).toBe("No detections match.\n");
      expect(runAcoupi(["summary", "--db", fixture.path], home.env).code).toBe(0);
    } finally {
      home.cleanup();
    }
  }, 60_000);
});
