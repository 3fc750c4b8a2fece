/**
 * @module The eBird export in-process, against the eBird Record Format (Extended) as eBird
 * publishes it (test/helpers/ebird-format.ts): the 19 columns in order, dates and times local to a
 * time zone with one checklist per local hour, and labels split into eBird's name columns. The
 * exports through the real CLI are in test/e2e/report/ebird.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { exportDetections } from "../../src/report/export/export-detections.ts";
import { EBIRD_COLUMNS, speciesName } from "../../src/report/export/ebird.ts";
import { openMetadataReadonly } from "../../src/components/stores/queries/open-metadata.ts";
import { makeTempHome, type TempHome } from "../helpers/cli.ts";
import { writeFixtureDb, type FixtureDb } from "../helpers/fixture-db.ts";
import { asRows, parseCsv, PUBLISHED } from "../helpers/ebird-format.ts";

describe("acoupi export --format ebird", () => {
  let home: TempHome;
  let fixture: FixtureDb;
  beforeAll(() => {
    home = makeTempHome("acoupi-ebird-");
    fixture = writeFixtureDb(home.home);
  });
  afterAll(() => home.cleanup());

  test("the exporter's columns are the published 19, in order", () => {
    expect<string[]>([...EBIRD_COLUMNS]).toEqual(PUBLISHED);
  });

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

  test("labels split into eBird's name columns: BirdNET labels, binomials and anything else", () => {
    expect(speciesName("Strix aluco_Tawny Owl")).toEqual({ common: "Tawny Owl", genus: "Strix", species: "aluco" });
    expect(speciesName("Troglodytes troglodytes")).toEqual({ common: "", genus: "Troglodytes", species: "troglodytes" });
    expect(speciesName("Motacilla alba yarrellii")).toEqual({ common: "", genus: "Motacilla", species: "alba yarrellii" });
    expect(speciesName("Engine_Engine")).toEqual({ common: "Engine_Engine", genus: "", species: "" });
    expect(speciesName("speech")).toEqual({ common: "speech", genus: "", species: "" });
  });
});
