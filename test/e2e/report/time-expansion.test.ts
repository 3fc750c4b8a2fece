/**
 * @module Time expansion end to end, in real units: a 384 kHz capture with time expansion 10 from
 * the fake microphone (the WAV header says 38.4 kHz) holds a 60 kHz burst from 0.5 to 1 s in the
 * field (test/helpers/time-expanded-capture.ts). The model finds it at 0.5–1 s, not 5–10 s; the
 * Raven, CSV and JSONL exports give real times and frequencies and carry the factor in a column;
 * the spectrogram draws the burst at 60 kHz and 0.5–1 s. The WAV header of the capture is checked
 * in-process in test/report/time-expansion.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decode } from "fast-png";
import { ModelConfigSchema, OnnxModel } from "../../../src/components/models/onnx-model.ts";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import type { Recording } from "../../../src/data/index.ts";
import { PLOT_HEIGHT, PLOT_LEFT, PLOT_TOP, PLOT_WIDTH } from "../../../src/report/spectrogram/render.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { recordExpandedBurst } from "../../helpers/time-expanded-capture.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";

let home: TempHome;
let db: string;
let recording: Recording;

beforeAll(async () => {
  home = makeTempHome("acoupi-te-");
  const captured = await recordExpandedBurst(home.home);
  recording = captured.recording;
  const site = captured.site;
  const modelPath = join(home.home, "energy.onnx");
  await Bun.write(modelPath, energyModel(128_000));
  const model = new OnnxModel(ModelConfigSchema.parse({ path: modelPath, labels: ["level", "energy"], samplerate: 256_000, window: 0.5 }), { threshold: 0.01 });
  const output = await model.run(recording);
  await model.close();
  db = join(home.home, "metadata.db");
  const store = new SqliteStore({ db_metadata: db });
  store.storeDeployment(site);
  store.storeRecording(recording);
  store.storeModelOutputs([output]);
  store.close();
}, 60_000);
afterAll(() => home.cleanup());

function exported(format: string): string {
  const out = mkdtempSync(join(home.home, `out-${format}-`));
  const result = runAcoupi(["export", "--format", format, "--out", out, "--db", db, ...(format === "raven" ? ["--combined"] : [])], home.env);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const [file] = readdirSync(out);
  return readFileSync(join(out, file ?? ""), "utf8");
}

describe("time expansion in real units", () => {
  test("a Raven export gives the burst at 0.5–1 s and up to 192 kHz, with Time Expansion 10", () => {
    const [header, ...rows] = exported("raven").trimEnd().split("\n");
    const columns = header?.split("\t") ?? [];
    expect(columns.at(-1)).toBe("Time Expansion");
    const at = (row: string, name: string) => row.split("\t")[columns.indexOf(name)];
    expect(rows.length).toBe(2);
    for (const row of rows) {
      expect(at(row, "Begin Time (s)")).toBe("0.500000");
      expect(at(row, "End Time (s)")).toBe("1.000000");
      expect(at(row, "High Freq (Hz)")).toBe("192000.000000");
      expect(at(row, "Time Expansion")).toBe("10");
    }
    expect(rows.map((r) => at(r, "Species")).sort()).toEqual(["energy", "level"]);
  }, 30_000);

  test("CSV and JSONL exports give real times and carry the factor", () => {
    const [header, ...lines] = exported("csv").trimEnd().split("\r\n");
    const columns = header?.split(",") ?? [];
    for (const line of lines) {
      const cells = line.split(",");
      expect(cells[columns.indexOf("start_time_s")]).toBe("0.5");
      expect(cells[columns.indexOf("end_time_s")]).toBe("1");
      expect(cells[columns.indexOf("time_expansion")]).toBe("10");
      expect(cells[columns.indexOf("samplerate_hz")]).toBe("384000");
    }
    const rows = exported("jsonl").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatchObject({ start_time_s: 0.5, end_time_s: 1, time_expansion: 10, high_freq_hz: 192_000 });
  }, 30_000);

  test("the spectrogram draws the burst at 60 kHz between 0.5 and 1 s of the 2 s", () => {
    const out = join(home.home, "te.png");
    const result = runAcoupi(["spectrogram", recording.id, "--out", out, "--db", db], home.env);
    expect(result.code).toBe(0);
    const png = decode(readFileSync(out));
    // The detections' boxes and labels are white and black: only the colour scale counts.
    const bright = (x: number, y: number) => {
      const rgb = png.palette?.[png.data[y * png.width + x] as number] ?? [0, 0, 0];
      const sum = (rgb[0] ?? 0) + (rgb[1] ?? 0) + (rgb[2] ?? 0);
      return sum >= 750 ? -1 : sum;
    };
    const row = PLOT_TOP + PLOT_HEIGHT - 1 - Math.round((60_000 / 192_000) * PLOT_HEIGHT);
    const x = (s: number) => PLOT_LEFT + Math.round((s / 2) * PLOT_WIDTH);
    let best = -1;
    let bestRow = -1;
    for (let y = PLOT_TOP; y < PLOT_TOP + PLOT_HEIGHT; y++) if (bright(x(0.75), y) > best) [best, bestRow] = [bright(x(0.75), y), y];
    expect(Math.abs(bestRow - row)).toBeLessThanOrEqual(1);
    expect(bright(x(0.75), row)).toBeGreaterThan(bright(x(1.5), row) + 100);
    expect(bright(x(0.75), row)).toBeGreaterThan(bright(x(0.25), row) + 100);
  }, 30_000);
});
