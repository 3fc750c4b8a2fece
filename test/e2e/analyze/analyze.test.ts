/**
 * @module `acoupi analyze` through the real CLI, with a real ONNX model built by the test (an
 * energy model: which 1 s windows pass the threshold is known from the levels written), real WAV
 * files and a real SQLite database: bad files are named and skipped with a non-zero exit, a
 * second run resumes, `--out` naming a file is refused, AudioMoth names and GUANO give absolute
 * UTC times, `--json` writes one event a line, `--jobs 2` finds what `--jobs 1` finds, and the
 * sensor's own database is left alone.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wideWavHeader } from "../../../src/audio/rf64.ts";
import { wavBytes } from "../../helpers/model-fixtures.ts";
import { said } from "../../helpers/deployment.ts";
import { runOnPty } from "../../helpers/pty.ts";
import { analyzeRig, count, levels, RATE, storedDetections, writeRecording, type AnalyzeRig } from "../../helpers/analyze-fixtures.ts";

let rig: AnalyzeRig;
let cards: string;

beforeAll(async () => {
  rig = await analyzeRig();
  cards = join(rig.dir, "card");
  // loud (mean|x|) passes 0.3 where the level is ≥ 0.3; power (x²) where it is ≥ 0.548.
  await writeRecording(join(cards, "20240501_193000.WAV"), levels([[1, 0], [1, 0.5], [1, 0.1]]), RATE);
  await writeRecording(join(cards, "night2", "20240502_010203.WAV"), levels([[1, 0.7], [1, 0]]), RATE);
  await writeRecording(join(cards, "night2", "quiet.wav"), levels([[2, 0.05]]), RATE);
  await Bun.write(join(cards, "corrupt.wav"), "this is not a RIFF file, only text with a .wav name");
  // A copy cut short: its header declares 2 s of samples, the file holds 0.5 s.
  const whole = readFileSync(await writeRecording(join(rig.dir, "whole.wav"), levels([[2, 0.9]]), RATE));
  writeFileSync(join(cards, "truncated.wav"), whole.subarray(0, 44 + RATE));
});

afterAll(() => rig.cleanup());

describe("acoupi analyze over a folder with bad files", () => {
  test("names the corrupt and truncated files, analyses the others and exits non-zero", () => {
    const result = rig.run(["analyze", "card", ...rig.modelArgs, "--out", "first"]);
    expect(result.code, said(result)).toBe(1);
    expect(result.stderr).toContain(`${join(cards, "corrupt.wav")}": it is not a RIFF/WAVE or RF64 file`);
    expect(result.stderr).toContain(`${join(cards, "truncated.wav")}": it is truncated`);
    expect(result.stdout).toContain("3 files analysed, 0 skipped (already analysed), 2 failed");

    const db = join(rig.dir, "first/metadata.db");
    expect(count(db, "SELECT DISTINCT recording_id FROM model_outputs")).toBe(3);
    const found = storedDetections(db).map((d) => [d.file, d.start, d.end, d.label, Number(d.score.toFixed(3))]);
    expect(found).toEqual([
      ["20240501_193000.WAV", 1, 2, "loud", 0.5],
      ["20240502_010203.WAV", 0, 1, "loud", 0.7],
      ["20240502_010203.WAV", 0, 1, "power", 0.49],
    ]);
  }, 120_000);

  test("a second run into the same database skips what was analysed and analyses a new file", async () => {
    const db = join(rig.dir, "first/metadata.db");
    const before = count(db, "SELECT id FROM model_outputs");
    await writeRecording(join(cards, "night2", "late.wav"), levels([[1, 0.4]]), RATE);
    const result = rig.run(["analyze", "card", ...rig.modelArgs, "--out", "first"]);
    expect(result.code, said(result)).toBe(1);
    expect(result.stdout).toContain("1 file analysed, 3 skipped (already analysed), 2 failed");
    expect(count(db, "SELECT id FROM model_outputs")).toBe(before + 1);
    expect(count(db, "SELECT id FROM recordings")).toBe(4);
  }, 120_000);
});

describe("acoupi analyze times and units", () => {
  test("an AudioMoth name gives the recording's absolute start in UTC", () => {
    const db = join(rig.dir, "first/metadata.db");
    const rows = storedDetections(db);
    expect(rows.find((r) => r.file === "20240501_193000.WAV")?.created_on).toBe("2024-05-01T19:30:00.000Z");
    expect(rows.find((r) => r.file === "20240502_010203.WAV")?.created_on).toBe("2024-05-02T01:02:03.000Z");
  });

  test("a GUANO timestamp with an offset wins over the name, and GUANO time expansion gives real times, rates and frequencies", async () => {
    const dir = join(rig.dir, "guano");
    // Recorded at 80 kHz and slowed down 10×: the header says 8 kHz, and its 2 s of samples are
    // 0.2 s of real time: 0.1 s of silence, then 0.1 s at 0.5.
    await writeRecording(join(dir, "20240601_220000.WAV"), levels([[1, 0], [1, 0.5]]), RATE, [
      ["Timestamp", "2024-06-01T22:00:00+02:00"],
      ["TE", "10"],
      ["Samplerate", "80000"],
    ]);
    // The energy model's 8000 samples are 0.1 s at the real rate.
    const result = rig.run(["analyze", "guano", ...rig.modelArgs, "--model.samplerate", "80000", "--model.window", "0.1", "--out", "guano-out"]);
    expect(result.code, said(result)).toBe(0);
    const rows = storedDetections(join(rig.dir, "guano-out/metadata.db"));
    expect(rows.map((r) => ({ ...r, score: Number(r.score.toFixed(3)) }))).toEqual([
      {
        file: "20240601_220000.WAV",
        created_on: "2024-06-01T20:00:00.000Z",
        samplerate: 80000,
        time_expansion: 10,
        duration: 0.2,
        start: 0.1,
        end: 0.2,
        low: 0,
        high: 40000,
        score: 0.5,
        label: "loud",
      },
    ]);
  }, 120_000);
});

describe("acoupi analyze formats", () => {
  test("an RF64 file (ds64 sizes, 0xFFFFFFFF in the data chunk) gives the detections of the same samples in a WAV", async () => {
    const samples = levels([[1, 0.7], [1, 0]]);
    const pcm = wavBytes([samples], RATE, "int16").subarray(44);
    const header = wideWavHeader({ samplerate: RATE, channels: 1, bitsPerSample: 16 }, pcm.byteLength, 0, 1000);
    expect(new TextDecoder().decode(header.subarray(0, 4))).toBe("RF64");
    await Bun.write(join(rig.dir, "rf64", "wide.wav"), Buffer.concat([header, pcm]));
    const result = rig.run(["analyze", "rf64", ...rig.modelArgs, "--out", "rf64-out"]);
    expect(result.code, said(result)).toBe(0);
    const found = storedDetections(join(rig.dir, "rf64-out/metadata.db")).map((d) => [d.start, d.end, d.label, Number(d.score.toFixed(3)), d.duration]);
    expect(found).toEqual([
      [0, 1, "loud", 0.7, 2],
      [0, 1, "power", 0.49, 2],
    ]);
  }, 120_000);
});

describe("acoupi analyze refuses encodings it cannot read", () => {
  test("an A-law file is named with its encoding and leaves no row in the database", async () => {
    const bytes = wavBytes([levels([[1, 0.5]])], RATE, "int16");
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint16(20, 6, true); // WAVE_FORMAT_ALAW
    view.setUint16(34, 8, true);
    await Bun.write(join(rig.dir, "alaw", "phone.wav"), bytes);
    await writeRecording(join(rig.dir, "alaw", "ok.wav"), levels([[1, 0.5]]), RATE);
    const result = rig.run(["analyze", "alaw", ...rig.modelArgs, "--out", "alaw-out"]);
    expect(result.code, said(result)).toBe(1);
    expect(result.stderr).toContain(`${join(rig.dir, "alaw", "phone.wav")}": its samples are encoded as format 6 with 8 bits`);
    expect(count(join(rig.dir, "alaw-out/metadata.db"), "SELECT path FROM recordings")).toBe(1);
  }, 120_000);
});

describe("acoupi analyze output", () => {
  test("--json writes one progress event a line: start, a file event per file, done", () => {
    const result = rig.run(["analyze", "card", ...rig.modelArgs, "--out", "json-out", "--json"]);
    expect(result.code, said(result)).toBe(1);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ event: "start", files: 6, program: "detection" });
    const files = events.filter((e) => e.event === "file");
    expect(files.map((e) => String(e.path).slice(cards.length + 1)).sort()).toEqual(
      ["20240501_193000.WAV", "corrupt.wav", "night2/20240502_010203.WAV", "night2/late.wav", "night2/quiet.wav", "truncated.wav"],
    );
    expect(files.filter((e) => e.status === "failed").map((e) => e.error)).toEqual([
      expect.stringContaining("corrupt.wav"),
      expect.stringContaining("truncated.wav"),
    ]);
    expect(files.at(-1)).toMatchObject({ done: 6, total: 6 });
    expect(events.at(-1)).toMatchObject({ event: "done", analysed: 4, skipped: 0, failed: 2, detections: 4 });
  }, 120_000);

  test("a progress bar is drawn on a terminal, and not when the output is piped", async () => {
    for (const name of ["a.wav", "b.wav", "c.wav"]) await writeRecording(join(rig.dir, "bar", name), levels([[1, 0.5]]), RATE);
    const args = ["analyze", join(rig.dir, "bar"), ...rig.modelArgs, "--out", join(rig.dir, "bar-out")];
    const onTerminal = runOnPty(args, [{ expect: "skipped", send: "" }], rig.home.env);
    expect(onTerminal.transcript).toContain("[########################] 3/3 files");
    const piped = rig.run(args);
    expect(piped.code, said(piped)).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain("3/3 files");
    expect(piped.stdout).toContain("0 files analysed, 3 skipped (already analysed), 0 failed");
  }, 120_000);

  test("--format writes Raven tables and a CSV of the analysed detections into the output folder", () => {
    const result = rig.run(["analyze", "card", ...rig.modelArgs, "--out", "first", "--format", "raven,csv"]);
    expect(result.code, said(result)).toBe(1);
    expect(readdirSync(join(rig.dir, "first/raven")).sort()).toEqual(["20240501_193000.Table.1.selections.txt", "20240502_010203.Table.1.selections.txt", "late.Table.1.selections.txt"]);
    const csv = readFileSync(join(rig.dir, "first/detections.csv"), "utf8").trim().split("\r\n");
    expect(csv.length).toBe(1 + 4);
  }, 120_000);

  test("--jobs 2 stores the same detections as one process", () => {
    const result = rig.run(["analyze", "card", ...rig.modelArgs, "--out", "jobs-out", "--jobs", "2"]);
    expect(result.code, said(result)).toBe(1);
    expect(result.stderr).toContain("corrupt.wav");
    const strip = (db: string) => storedDetections(db).map(({ created_on: _, ...rest }) => rest);
    expect(strip(join(rig.dir, "jobs-out/metadata.db"))).toEqual(strip(join(rig.dir, "json-out/metadata.db")));
  }, 120_000);
});

describe("acoupi analyze --jobs on many files", () => {
  test("three processes writing one database lose no file to a locked database", async () => {
    const many = join(rig.dir, "many");
    for (let i = 0; i < 24; i++) await writeRecording(join(many, `f${String(i).padStart(2, "0")}.wav`), levels([[1, (i % 8) / 10]]), RATE);
    const result = rig.run(["analyze", "many", ...rig.modelArgs, "--out", "many-out", "--jobs", "3"]);
    expect(result.code, said(result)).toBe(0);
    expect(result.stdout).toContain("24 files analysed, 0 skipped (already analysed), 0 failed");
    expect(count(join(rig.dir, "many-out/metadata.db"), "SELECT DISTINCT recording_id FROM model_outputs")).toBe(24);
  }, 180_000);
});

describe("acoupi analyze refuses what would overwrite", () => {
  test("--out naming an existing file is refused by name and writes nothing", () => {
    writeFileSync(join(rig.dir, "results.txt"), "keep me");
    const result = rig.run(["analyze", "card", ...rig.modelArgs, "--out", "results.txt"]);
    expect(result.code, said(result)).not.toBe(0);
    expect(result.stderr).toContain('--out "results.txt" is an existing file');
    expect(readFileSync(join(rig.dir, "results.txt"), "utf8")).toBe("keep me");
  }, 60_000);

  test("a model that cannot load stops the run with its own error and help, in one process and with --jobs 2", () => {
    const missing = rig.modelArgs.map((a) => (a.endsWith("energy.onnx") ? join(rig.dir, "missing.onnx") : a));
    for (const jobs of ["1", "2"]) {
      const result = rig.run(["analyze", "card", ...missing, "--out", `missing-model-${jobs}`, "--jobs", jobs]);
      expect(result.code, said(result)).toBe(1);
      expect(result.stderr).toMatch(/Stopped after \d of \d files: Model file ".*missing\.onnx" does not exist/);
      expect(result.stderr).toContain("Help: Set model.path");
      expect(result.stderr).not.toContain("Failed: /");
    }
  }, 120_000);

  test("a program with no detection stack is refused with the flags to give instead", () => {
    const result = rig.run(["analyze", "card", "--program", "default", "--out", "no-stack"]);
    expect(result.code, said(result)).toBe(1);
    expect(result.stderr).toContain('Program "default" has no detection stack');
    expect(result.stderr).toContain("--program detection --model.path");
  }, 60_000);

  test("--out holding the sensor's metadata database is refused unless --db names it", () => {
    const storages = join(rig.home.acoupiHome, "storages");
    const result = rig.run(["analyze", "card", ...rig.modelArgs, "--out", storages]);
    expect(result.code, said(result)).not.toBe(0);
    expect(result.stderr).toContain("holds the sensor's own metadata database");
    expect(existsSync(join(storages, "metadata.db"))).toBe(false);
  }, 60_000);
});
