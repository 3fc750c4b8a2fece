/**
 * @module `acoupi export` in each format through the real CLI, held byte for byte against the
 * hand-written fixtures in test/fixtures/export (see its README for the specifications used).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, REPO, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { MEADOW, writeFixtureDb, type FixtureDb } from "../../helpers/fixture-db.ts";

const FIXTURES = join(REPO, "test/fixtures/export");

describe("acoupi export", () => {
  let home: TempHome;
  let fixture: FixtureDb;
  beforeAll(() => {
    home = makeTempHome("acoupi-export-");
    fixture = writeFixtureDb(home.home);
  });
  afterAll(() => home.cleanup());

  function exportTo(format: string, extra: string[] = []): { dir: string; stdout: string } {
    const dir = mkdtempSync(join(home.home, `out-${format}-`));
    const result = runAcoupi(["export", "--format", format, "--out", dir, "--db", fixture.path, ...extra], home.env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return { dir, stdout: result.stdout };
  }
  const expected = (name: string) => readFileSync(join(FIXTURES, name), "utf8").replaceAll("{DIR}", home.home);

  test("the combined Raven table matches the hand-checked selection table fixture byte for byte", () => {
    const { dir, stdout } = exportTo("raven", ["--combined"]);
    expect(readdirSync(dir)).toEqual(["detections.selections.txt"]);
    expect(readFileSync(join(dir, "detections.selections.txt"), "utf8")).toBe(expected("detections.selections.txt"));
    expect(stdout).toStartWith(`Exported 5 detections into 1 file in ${dir}\n`);
  });

  test("every Raven table has Raven's required columns first, with their types", () => {
    const { dir } = exportTo("raven", ["--combined"]);
    const [header, ...rows] = readFileSync(join(dir, "detections.selections.txt"), "utf8").trimEnd().split("\n");
    expect(header?.split("\t").slice(0, 7)).toEqual(["Selection", "View", "Channel", "Begin Time (s)", "End Time (s)", "Low Freq (Hz)", "High Freq (Hz)"]);
    const decimal = /^\d+(\.\d+)?$/;
    rows.forEach((line, i) => {
      const [selection, view, channel, begin, end, low, high] = line.split("\t");
      expect(selection).toBe(String(i + 1)); // unique positive integers, in order
      expect(view).toMatch(/^(Spectrogram|Waveform) \d+$/);
      expect(channel).toMatch(/^[1-9]\d*$/);
      for (const v of [begin, end, low, high]) expect(v).toMatch(decimal);
      expect(Number(end)).toBeGreaterThan(Number(begin));
      expect(Number(high)).toBeGreaterThan(Number(low));
      expect(line.split("\t")).toHaveLength(header?.split("\t").length ?? 0);
    });
  });

  test("Raven per recording writes one selection table per recording with detections", () => {
    const { dir } = exportTo("raven");
    expect(readdirSync(dir).sort()).toEqual(["rec1", "rec2", "rec4", "rec5"].map((r) => `${r}.Table.1.selections.txt`));
    expect(readFileSync(join(dir, "rec1.Table.1.selections.txt"), "utf8")).toBe(expected("rec1.Table.1.selections.txt"));
    expect(readFileSync(join(dir, "rec4.Table.1.selections.txt"), "utf8")).toBe(expected("rec4.Table.1.selections.txt"));
  });

  test("Audacity label tracks carry the frequency line only for detections with a box", () => {
    const { dir } = exportTo("audacity");
    expect(readdirSync(dir).sort()).toEqual(["rec1.labels.txt", "rec2.labels.txt", "rec4.labels.txt", "rec5.labels.txt"]);
    expect(readFileSync(join(dir, "rec1.labels.txt"), "utf8")).toBe(expected("rec1.labels.txt"));
    expect(readFileSync(join(dir, "rec4.labels.txt"), "utf8")).toBe(expected("rec4.labels.txt"));
  });

  test("CSV matches the RFC 4180 fixture, and filters narrow it", () => {
    const { dir } = exportTo("csv");
    expect(readFileSync(join(dir, "detections.csv"), "utf8")).toBe(expected("detections.csv"));
    const owls = exportTo("csv", ["--label", "Strix aluco", "--deployment", "meadow"]);
    const lines = readFileSync(join(owls.dir, "detections.csv"), "utf8").trimEnd().split("\r\n");
    expect(lines.map((l) => l.split(",")[0])).toEqual(["detection_id", "00000000-0000-4000-8000-00000000b001", "00000000-0000-4000-8000-00000000b003"]);
  });

  test("JSON lines hold the same rows as `acoupi detections --json`, oldest recording first", () => {
    const { dir } = exportTo("jsonl");
    const exported = readFileSync(join(dir, "detections.jsonl"), "utf8").trim().split("\n");
    const listed = runAcoupi(["detections", "--json", "--db", fixture.path], home.env).stdout.trim().split("\n");
    expect(exported.map((line) => (JSON.parse(line) as { detection_id: string }).detection_id.slice(-4))).toEqual(["b001", "b002", "b003", "b004", "b005"]);
    expect([...exported].sort()).toEqual([...listed].sort());
  });

  test("two recordings with the same file name in different folders get separate tables", () => {
    const db = join(home.home, "same-names.db");
    const store = new SqliteStore({ db_metadata: db }, { synchronous: "NORMAL" });
    const ids = ["00000000-0000-4000-8000-0000000000e1", "00000000-0000-4000-8000-0000000000e2"];
    ids.forEach((id, i) => {
      const recording = { id, created_on: new Date(Date.UTC(2024, 4, 1, 6, 0, i)), duration: 3, samplerate: 48000, deployment: MEADOW, path: `/data/${i === 0 ? "a" : "b"}/night.wav`, audio_channels: 1, time_expansion: 1, bit_depth: 16 };
      store.storeRecording(recording);
      const detection = { id: crypto.randomUUID(), prediction_type: "presence" as const, location: null, detection_score: 0.5, tags: [] };
      store.storeModelOutputs([{ id: crypto.randomUUID(), name_model: "M", recording, created_on: recording.created_on, detections: [detection] }]);
    });
    store.close();
    const dir = mkdtempSync(join(home.home, "out-same-"));
    expect(runAcoupi(["export", "--format", "audacity", "--out", dir, "--db", db], home.env).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([`night-${ids[1]}.labels.txt`, "night.labels.txt"]);
    expect(readFileSync(join(dir, "night.labels.txt"), "utf8")).toBe("0.000000\t3.000000\tM 0.50\n");
  });

  test("an unknown format is refused by name and writes nothing", () => {
    const dir = mkdtempSync(join(home.home, "out-bad-"));
    const result = runAcoupi(["export", "--format", "xls", "--out", dir, "--db", fixture.path], home.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown export format "xls": use one of csv, raven, audacity, jsonl');
    expect(readdirSync(dir)).toEqual([]);
  });
});
