/**
 * @module The species-rule components on their own: BirdNET's 48 weeks, list files and their
 * matching by scientific name or full label (a typo named by line), the thresholds CSV (a bad
 * threshold named by line), the time-of-day rule by the sun at the deployment, the confirmation
 * rule's exempt list, and the decision log's bounds on rows and age.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { birdnetWeek, isBirdnetWeek } from "../../../src/components/species-rules/birdnet-week.ts";
import { RepeatConfirmation } from "../../../src/components/species-rules/confirmation.ts";
import { assertEntriesMatch, SpeciesList } from "../../../src/components/species-rules/species-list.ts";
import { readSpeciesThresholds } from "../../../src/components/species-rules/species-thresholds.ts";
import { isDaytime, timeOfDayRule } from "../../../src/components/species-rules/time-of-day-rule.ts";
import { SqliteDecisionLog } from "../../../src/components/stores/decision-log.ts";
import { boundingBox, type Detection, type ModelOutput } from "../../../src/data/index.ts";
import { ConfigError } from "../../../src/errors.ts";
import { listDropped } from "../../../src/components/stores/queries/dropped.ts";
import { deployment, recording } from "../../contracts/store.contract.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-species-rules-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function detection(label: string, start: number, score = 0.9): Detection {
  return {
    id: crypto.randomUUID(),
    prediction_type: "presence",
    location: boundingBox(start, 0, start + 1, 24000),
    detection_score: score,
    tags: [{ tag: { key: "species", value: label }, confidence_score: score }],
  };
}

function output(created: string, detections: Detection[], where = { latitude: 51.5, longitude: -0.1 }): ModelOutput {
  return {
    id: crypto.randomUUID(),
    name_model: "birds",
    recording: recording({ created_on: new Date(created), duration: 3, deployment: deployment(where) }),
    detections,
    created_on: new Date(created),
  };
}

describe("BirdNET weeks", () => {
  test("four a month: days 1–7, 8–14, 15–21 and 22 to the end", () => {
    const week = (iso: string) => birdnetWeek(new Date(`${iso}T12:00:00Z`));
    expect([week("2024-01-01"), week("2024-01-07"), week("2024-01-08"), week("2024-01-21"), week("2024-01-22"), week("2024-01-31")]).toEqual([1, 1, 2, 3, 4, 4]);
    expect([week("2024-02-01"), week("2024-06-01"), week("2024-12-31")]).toEqual([5, 21, 48]);
    expect([isBirdnetWeek(-1), isBirdnetWeek(48), isBirdnetWeek(0), isBirdnetWeek(49), isBirdnetWeek(2.5)]).toEqual([true, true, false, false, false]);
  });
});

describe("species lists", () => {
  test("match by full label or scientific name, in any case, skipping comments and blanks", () => {
    const list = SpeciesList.read(file("list.txt", "# owls\n\nStrix aluco\nTurdus merula_Eurasian Blackbird\n"), "species.include");
    expect(list.entries.map((e) => e.line)).toEqual([3, 4]);
    expect(list.has("Strix aluco_Tawny Owl")).toBe(true);
    expect(list.has("STRIX ALUCO")).toBe(true);
    expect(list.has("Turdus merula_Blackbird (another common name)")).toBe(true);
    expect(list.has("Turdus philomelos_Song Thrush")).toBe(false);
    expect(list.lineOf("Strix aluco_Tawny Owl")).toBe(3);
  });

  test("an entry matching no label is named with its file, key and line", () => {
    const path = file("typo.txt", "Strix aluco\nStrix alucco\n");
    const list = SpeciesList.read(path, "species.exclude");
    let error: unknown;
    try {
      assertEntriesMatch(list.entries, ["Strix aluco_Tawny Owl"], path, "species.exclude");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`1 species in "${path}" (species.exclude) match none of the model's labels: line 2 "Strix alucco"`);
    expect((error as ConfigError).key).toBe("species.exclude");
  });

  test("a missing list file is refused naming the key", () => {
    expect(() => SpeciesList.read(join(dir, "absent.txt"), "species.include")).toThrow(/species\.include/);
  });
});

describe("the thresholds CSV", () => {
  test("reads species,threshold lines after an optional header", () => {
    const rows = readSpeciesThresholds(file("t.csv", "species,threshold\nStrix aluco,0.1\n\"Turdus merula_Eurasian Blackbird\",0.75\n"), "species.thresholds");
    expect(rows.map((r) => [r.text, r.threshold, r.line])).toEqual([
      ["Strix aluco", 0.1, 2],
      ["Turdus merula_Eurasian Blackbird", 0.75, 3],
    ]);
  });

  for (const bad of ["Strix aluco,1.2", "Strix aluco,-0.1", "Strix aluco,high", "Strix aluco"]) {
    test(`refuses "${bad}" naming its line`, () => {
      expect(() => readSpeciesThresholds(file("t.csv", `Turdus merula,0.5\n${bad}\n`), "species.thresholds")).toThrow(`Line 2 of`);
    });
  }
});

describe("time-of-day rules", () => {
  test("the sun is up at noon and down at midnight in London in June", () => {
    expect(isDaytime(new Date("2024-06-21T12:00:00Z"), 51.5, -0.1)).toBe(true);
    expect(isDaytime(new Date("2024-06-21T00:00:00Z"), 51.5, -0.1)).toBe(false);
  });

  test("a night-only species heard by day is dropped, and one heard at night is kept", () => {
    const rule = timeOfDayRule(SpeciesList.read(file("night.txt", "Strix aluco\n"), "species.night_only"), "night");
    const byDay = rule.apply(output("2024-06-21T12:00:00Z", [detection("Strix aluco_Tawny Owl", 0), detection("Turdus merula_Eurasian Blackbird", 0)]));
    const atNight = rule.apply(output("2024-06-21T00:00:00Z", [detection("Strix aluco_Tawny Owl", 0)]));
    if (byDay instanceof Promise || atNight instanceof Promise) throw new Error("the time-of-day rule is synchronous");
    expect(byDay.output.detections.map((d) => d.tags[0]?.tag.value)).toEqual(["Turdus merula_Eurasian Blackbird"]);
    expect(byDay.dropped.map((d) => d.rule)).toEqual(["species.night_only"]);
    expect(atNight.output.detections).toHaveLength(1);
  });
});

describe("the confirmation rule", () => {
  test("holds a lone hit, keeps an exempt species at once, and drops the lone hit once later recordings pass its wait", () => {
    const exempt = SpeciesList.read(file("exempt.txt", "Botaurus stellaris\n"), "confirmation.exempt");
    const confirm = new RepeatConfirmation({ min_hits: 2, within_s: 5, exempt });
    const first = output("2024-06-01T05:00:00Z", [detection("Crex crex_Corn Crake", 1), detection("Botaurus stellaris_Great Bittern", 2)]);
    expect(confirm.admit({ output: first, dropped: [] })).toEqual([]);
    expect(confirm.held).toBe(1);
    // The next recording (3–6 s) hears nothing, and ends when the crake's wait (1 s + 5 s) is over.
    const quiet = output("2024-06-01T05:00:03Z", []);
    const decided = confirm.admit({ output: quiet, dropped: [] });
    expect(decided.map((d) => d.output.id)).toEqual([first.id, quiet.id]);
    expect(decided[0]?.output.detections.map((d) => d.tags[0]?.tag.value)).toEqual(["Botaurus stellaris_Great Bittern"]);
    expect(decided[0]?.dropped.map((d) => d.rule)).toEqual(["confirmation.min_hits"]);
  });
});

describe("the decision log", () => {
  test("keeps at most maxRows rows and none older than maxAgeDays", () => {
    const db = new Database(":memory:");
    const log = new SqliteDecisionLog(db, { maxRows: 3, maxAgeDays: 1 });
    const rec = recording();
    const drop = (label: string) => ({ detection: detection(label, 0), rule: "species.exclude", reason: "listed" });
    log.record(rec, "birds", [drop("a"), drop("b")], new Date("2024-06-01T00:00:00Z"));
    log.record(rec, "birds", [drop("c"), drop("d")], new Date("2024-06-01T01:00:00Z"));
    expect(listDropped(db, {}).map((r) => r.label).sort()).toEqual(["b", "c", "d"]);
    log.record(rec, "birds", [drop("e")], new Date("2024-06-02T12:00:00Z"));
    expect(listDropped(db, {}).map((r) => r.label)).toEqual(["e"]);
    db.close();
  });
});
