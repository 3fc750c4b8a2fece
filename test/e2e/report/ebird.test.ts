/**
 * @module `acoupi export --format ebird` through the real CLI against the eBird Record Format
 * (Extended) as eBird publishes it (test/helpers/ebird-format.ts): 19 columns, no header row,
 * dates `MM/DD/YYYY`, times `HH:MM`, each record read with an RFC 4180 parser: one row per species
 * per checklist, the deployment's name and coordinates, reviewers' verdicts applied, and a
 * deployment without coordinates refused with nothing written. The in-process tests are in
 * test/report/ebird.test.ts.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openMetadataForReview, setReview } from "../../../src/components/stores/reviews.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { writeFixtureDb, type FixtureDb } from "../../helpers/fixture-db.ts";
import { asRows, parseCsv } from "../../helpers/ebird-format.ts";

describe("acoupi export --format ebird", () => {
  let home: TempHome;
  let fixture: FixtureDb;
  beforeAll(() => {
    home = makeTempHome("acoupi-ebird-");
    fixture = writeFixtureDb(home.home);
  });
  afterAll(() => home.cleanup());

  function exported(extra: string[] = [], path = fixture.path): { records: string[][]; text: string } {
    const out = mkdtempSync(join(home.home, "ebird-"));
    const result = runAcoupi(["export", "--format", "ebird", "--out", out, "--db", path, ...extra], home.env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const text = readFileSync(join(out, "ebird.csv"), "utf8");
    return { records: parseCsv(text), text };
  }

  test("one record per species per deployment and UTC day, 19 fields, no header row, in eBird's date and time formats", () => {
    const { records } = exported();
    for (const r of records) expect(r).toHaveLength(19);
    expect(records[0]?.[0]).not.toBe("Common Name");
    const rows = asRows(records);
    // Day 1 (meadow): Strix b001 06:00:00.5, b003 06:00:10; Troglodytes b002 06:00:02. Day 2: meadow Troglodytes b004, wood Strix b005.
    expect(rows.map((r) => [r["Location Name"], r.Date, r["Start Time"], r.Genus, r.Species])).toEqual([
      ["meadow", "05/01/2024", "06:00", "Strix", "aluco"],
      ["meadow", "05/01/2024", "06:00", "Troglodytes", "troglodytes"],
      ["meadow", "05/02/2024", "07:00", "Troglodytes", "troglodytes"],
      ["wood", "05/02/2024", "08:00", "Strix", "aluco"],
    ]);
    for (const r of rows) {
      expect([r.Latitude, r.Longitude]).toEqual(["51.5", "-0.1"]);
      expect(r.Number).toBe("X");
      expect([r.Protocol, r["Number of Observers"], r["All observations reported?"]]).toEqual(["Incidental", "1", "N"]);
      expect([r.Duration, r["Effort Distance Miles"], r["Effort area acres"], r["State/Province"], r["Country Code"]]).toEqual(["", "", "", "", ""]);
      expect(r.Date).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
      expect(r["Submission Comments"]).toContain("dates and times in UTC");
    }
    expect(rows[0]?.["Species Comments"]).toBe("2 acoustic detections by BirdNET, best score 0.90");
  }, 60_000);

  test("verdicts apply: a false detection is left out, a corrected species replaces the label, and --verified keeps the confirmed", () => {
    const dir = mkdtempSync(join(home.home, "reviewed-"));
    const own = writeFixtureDb(dir);
    const db = openMetadataForReview(own.path);
    setReview(db, { id: "00000000-0000-4000-8000-00000000b001", verdict: "correct", source: "cli" });
    setReview(db, { id: "00000000-0000-4000-8000-00000000b002", verdict: "false", source: "cli" });
    setReview(db, { id: "00000000-0000-4000-8000-00000000b003", verdict: "false", species: "Bubo bubo_Eurasian Eagle-Owl", source: "web" });
    db.close();
    const all = asRows(exported([], own.path).records);
    expect(all.map((r) => [r.Date, r["Common Name"], r.Genus, r.Species, r["Species Comments"]])).toEqual([
      ["05/01/2024", "", "Strix", "aluco", "1 acoustic detection by BirdNET, best score 0.90, 1 confirmed by a reviewer"],
      ["05/01/2024", "Eurasian Eagle-Owl", "Bubo", "bubo", "1 acoustic detection by BirdNET, best score 0.70, 1 named by a reviewer"],
      ["05/02/2024", "", "Troglodytes", "troglodytes", "1 acoustic detection by BirdNET, best score 0.95"],
      ["05/02/2024", "", "Strix", "aluco", "1 acoustic detection by BirdNET, best score 0.60"],
    ]);
    const verified = asRows(exported(["--verified"], own.path).records);
    expect(verified.map((r) => [r.Date, r.Genus, r.Species])).toEqual([["05/01/2024", "Strix", "aluco"]]);
  }, 60_000);

  test("a deployment without coordinates is refused by name and no file is written", () => {
    const dir = mkdtempSync(join(home.home, "nowhere-"));
    const own = writeFixtureDb(dir);
    const db = new Database(own.path);
    db.run("UPDATE deployments SET latitude = NULL, longitude = NULL WHERE name = 'wood'");
    db.close();
    const out = join(dir, "out");
    const result = runAcoupi(["export", "--format", "ebird", "--out", out, "--db", own.path], home.env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The deployment "wood" has no coordinates, and an eBird record needs a location');
    expect(result.stderr).toContain("--deployment");
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    // The deployment with coordinates alone exports.
    const meadow = runAcoupi(["export", "--format", "ebird", "--out", out, "--db", own.path, "--deployment", "meadow"], home.env);
    expect(meadow.code).toBe(0);
    expect(readdirSync(out)).toEqual(["ebird.csv"]);
  }, 60_000);
});
