/**
 * @module `acoupi analyze` as the compiled x64 binary: ORT's WASM embedded, and `--jobs 2`
 * re-running the binary itself as its worker processes. It finds the worked example's planted
 * FM sweeps and stores what the same command run from source stores.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BAT, batAudio, batModel } from "../../helpers/bat-model.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { said } from "../../helpers/deployment.ts";
import { storedDetections, writeRecording } from "../../helpers/analyze-fixtures.ts";
import { buildBinary } from "../../helpers/binaries.ts";

const ONSETS = [0.05, 0.3, 0.61, 0.9];

describe("acoupi analyze, compiled", () => {
  let binary: string;
  let home: TempHome;
  let dir: string;
  let args: string[];
  beforeAll(async () => {
    binary = buildBinary("x64");
    home = makeTempHome("acoupi-analyze-x64-");
    dir = join(home.home, "work");
    await Bun.write(join(dir, "bat.onnx"), batModel());
    await Bun.write(join(dir, "labels.txt"), `${BAT.label}\n`);
    for (const i of [1, 2, 3]) await writeRecording(join(dir, "night", `n${i}.wav`), batAudio({ seconds: 1.2, onsets: ONSETS, seed: i }), BAT.samplerate);
    args = [
      "analyze", join(dir, "night"), "--program", "detection",
      "--model.path", join(dir, "bat.onnx"), "--model.labels", join(dir, "labels.txt"),
      "--model.samplerate", String(BAT.samplerate), "--model.window", String(BAT.window), "--model.hop", String(BAT.hop),
      "--model.input", BAT.input, "--model.output", BAT.output,
      "--model.frames", "peaks", "--model.min_gap", String(BAT.minGap), "--detections.threshold", "0.5",
    ];
  }, 180_000);
  afterAll(() => home.cleanup());

  test("the binary with --jobs 2 finds the planted sweeps and stores what the source stores", () => {
    const compiled = Bun.spawnSync([binary, ...args, "--jobs", "2", "--out", join(dir, "compiled")], { env: { ...process.env, ...home.env }, cwd: dir, timeout: 180_000 });
    const result = { code: compiled.exitCode ?? -1, stdout: compiled.stdout.toString(), stderr: compiled.stderr.toString() };
    expect(result.code, said(result)).toBe(0);
    expect(result.stdout).toContain("3 files analysed, 0 skipped (already analysed), 0 failed");
    const fromSource = runAcoupi([...args, "--out", join(dir, "source")], home.env, { cwd: dir, timeoutMs: 180_000 });
    expect(fromSource.code, said(fromSource)).toBe(0);
    const rows = storedDetections(join(dir, "compiled/metadata.db"));
    for (const onset of ONSETS) expect(rows.filter((r) => Math.abs(r.start - onset) <= 0.005).length).toBe(3);
    expect(rows).toEqual(storedDetections(join(dir, "source/metadata.db")));
  }, 300_000);
});
