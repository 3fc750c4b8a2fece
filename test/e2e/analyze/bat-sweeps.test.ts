/**
 * @module The worked example through `acoupi analyze`: a model of the BatDetect (v1) contract
 * (audio [1, 102400] at 256 kHz → bat_prob [1, 85], built by test/helpers/bat-model.ts so its
 * output peaks on ultrasonic FM sweeps), windows 0.4 s every 0.377 s, `model.frames peaks` at
 * least 3 steps apart, over a folder of recordings at 256, 384 and 500 kHz and one recorded at
 * 384 kHz with time expansion 10 (header 38.4 kHz). Each planted sweep's onset lies within 5 ms
 * of a detection's start, in real seconds, and no detection lies away from a sweep.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { said } from "../../helpers/deployment.ts";
import { BAT, batAudio, batModel } from "../../helpers/bat-model.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { storedDetections, writeRecording } from "../../helpers/analyze-fixtures.ts";

/** Onsets in real seconds, some across the 0.377 s window starts (0.377, 0.754, 1.131). */
const ONSETS = [0.031, 0.2, 0.37, 0.52, 0.75, 0.98, 1.128, 1.4];
const SECONDS = 1.6;

let home: TempHome;
let dir: string;

beforeAll(async () => {
  home = makeTempHome("acoupi-bat-analyze-");
  dir = join(home.home, "work");
  await Bun.write(join(dir, "batdetect.onnx"), batModel());
  for (const rate of [256_000, 384_000, 500_000]) {
    await writeRecording(join(dir, "night", `r${rate}.wav`), batAudio({ seconds: SECONDS, onsets: ONSETS, samplerate: rate }), rate);
  }
  // Time-expanded: 384 kHz samples under a 38.4 kHz header, the factor and real rate in GUANO.
  await writeRecording(join(dir, "night", "te10.wav"), batAudio({ seconds: SECONDS, onsets: ONSETS, samplerate: 384_000 }), 38_400, [
    ["TE", "10"],
    ["Samplerate", "384000"],
  ]);
});

afterAll(() => home.cleanup());

describe("acoupi analyze with the worked example's bat detector", () => {
  test("each planted FM sweep's onset lies within 5 ms of a detection's start, at 256, 384 and 500 kHz and time-expanded", () => {
    const result = runAcoupi(
      [
        // docs/analyze.md's command for the real detector, word for word but for the paths.
        "analyze", "night", "--program", "detection",
        "--model.path", join(dir, "batdetect.onnx"), "--model.labels.0", "bat",
        "--model.samplerate", "256000", "--model.window", "0.4", "--model.hop", "0.377",
        "--model.input", "audio", "--model.output", "bat_prob",
        "--model.frames", "peaks", "--model.min_gap", "0.0141176",
        "--detections.threshold", "0.5",
        "--out", "bats", "--format", "raven,csv",
      ],
      home.env,
      { cwd: dir, timeoutMs: 180_000 },
    );
    expect(result.code, said(result)).toBe(0);
    const rows = storedDetections(join(dir, "bats/metadata.db"));
    const files = ["r256000.wav", "r384000.wav", "r500000.wav", "te10.wav"];
    expect([...new Set(rows.map((r) => r.file))].sort()).toEqual(files);
    for (const file of files) {
      const starts = rows.filter((r) => r.file === file).map((r) => r.start);
      for (const onset of ONSETS) {
        const nearest = Math.min(...starts.map((s) => Math.abs(s - onset)));
        expect(nearest, `${file}: onset ${onset} s, detections at ${starts.join(", ")}`).toBeLessThanOrEqual(0.005);
      }
      // No detection away from a sweep.
      for (const start of starts) expect(Math.min(...ONSETS.map((o) => Math.abs(start - o))), `${file}: detection at ${start} s`).toBeLessThanOrEqual(0.005);
    }
    expect(rows.find((r) => r.file === "te10.wav")).toMatchObject({ samplerate: 384_000, time_expansion: 10, label: BAT.label });
    expect(readdirSync(join(dir, "bats/raven")).sort()).toEqual(files.map((f) => f.replace(".wav", ".Table.1.selections.txt")));
  }, 240_000);
});
