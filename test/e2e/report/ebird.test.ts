/**
 * @module `acoupi export --format ebird` against the eBird Record Format (Extended) as eBird
 * publishes it: 19 columns in a fixed order, no header row, dates `MM/DD/YYYY`, times `HH:MM`.
 * The column list below is written out from the published format, not taken from the code, and
 * each record is read with an RFC 4180 parser: one row per species per checklist (deployment and
 * local day, or hour), the deployment's name and coordinates, reviewers' verdicts applied, and a
 * deployment without coordinates refused with nothing written.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { exportDetections } from "../../../src/report/export/export-detections.ts";
import { EBIRD_COLUMNS, speciesName } from "../../../src/report/export/ebird.ts";
import { openMetadataReadonly } from "../../../src/components/stores/queries/open-metadata.ts";
import { openMetadataForReview, setReview } from "../../../src/components/stores/reviews.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { writeFixtureDb, type FixtureDb } from "../../helpers/fixture-db.ts";

/** The eBird Record Format (Extended), columns A to S. */
const PUBLISHED = [
  "Common Name", "Genus", "Species", "Number", "Species Comments", "Location Name", "Latitude", "Longitude", "Date", "Start Time",
  "State/Province", "Country Code", "Protocol", "Number of Observers", "Duration", "All observations reported?", "Effort Distance Miles",
  "Effort area acres", "Submission Comments",
];

/** RFC 4180 records (quoted fields may hold commas, doubled quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") record.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      (record = []), (field = ""), i++;
    } else field += c;
  }
  if (field !== "" || record.length > 0) throw new Error("The last record has no CRLF line end");
  return records;
}

type Row = Record<(typeof PUBLISHED)[number], string>;
const asRows = (records: string[][]): Row[] => records.map((r) => Object.fromEntries(PUBLISHED.map((name, i) => [name, r[i] as string])) as Row);

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

  test("the exporter's columns are the published 19, in order", () => {
    expect<string[]>([...EBIRD_COLUMNS]).toEqual(PUBLISHED);
  });

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

  test("dates and times are local to the time zone, and --checklist hour makes one checklist per local hour", () => {
    const out = mkdtempSync(join(home.home, "zone-"));
    const db = openMetadataReadonly(fixture.path);
    try {
      exportDetections(db, {}, { format: "ebird", outDir: out, timeZone: "America/New_York", checklist: "hour" });
    } finally {
      db.close();
    }
    const rows = asRows(parseCsv(readFileSync(join(out, "ebird.csv"), "utf8")));
    // 06:00Z on 1 May 2024 is 02:00 in New York (EDT, UTC-4).
    expect(rows.map((r) => [r.Date, r["Start Time"], r.Species])).toEqual([
      ["05/01/2024", "02:00", "aluco"],
      ["05/01/2024", "02:00", "troglodytes"],
      ["05/02/2024", "03:00", "troglodytes"],
      ["05/02/2024", "04:00", "aluco"],
    ]);
    expect(rows[0]?.["Submission Comments"]).toContain("dates and times in America/New_York");
  });

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

  test("labels split into eBird's name columns: BirdNET labels, binomials and anything else", () => {
    expect(speciesName("Strix aluco_Tawny Owl")).toEqual({ common: "Tawny Owl", genus: "Strix", species: "aluco" });
    expect(speciesName("Troglodytes troglodytes")).toEqual({ common: "", genus: "Troglodytes", species: "troglodytes" });
    expect(speciesName("Motacilla alba yarrellii")).toEqual({ common: "", genus: "Motacilla", species: "alba yarrellii" });
    expect(speciesName("Engine_Engine")).toEqual({ common: "Engine_Engine", genus: "", species: "" });
    expect(speciesName("speech")).toEqual({ common: "speech", genus: "", species: "" });
  });
});
