/**
 * @module The species rules on planted detections, through `acoupi analyze` and the `detection`
 * program: a model built by the test scores a negative constant window for the blackbird,
 * nightingale and owl (0.5, 0.4, 0.2 of twice its level) and a positive one for the corncrake
 * alone, so every detection is planted by the audio written. Include and exclude lists,
 * per-species thresholds (higher and lower than the global one) and the repeat-confirmation
 * rule each drop exactly the planted detections they should, and `acoupi detections --why`
 * names the rule. Bad list lines and thresholds are named with their line at `check`.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { analyzeRig, levels, RATE, storedDetections, writeRecording, type AnalyzeRig } from "../../helpers/analyze-fixtures.ts";
import { signedLevelModel } from "../../helpers/species-models.ts";
import { deploy, said, type Deployment } from "../../helpers/deployment.ts";

const BLACKBIRD = "Turdus merula_Eurasian Blackbird";
const NIGHTINGALE = "Luscinia megarhynchos_Common Nightingale";
const OWL = "Strix aluco_Tawny Owl";
const CORNCRAKE = "Crex crex_Corn Crake";

setDefaultTimeout(180_000);

let rig: AnalyzeRig;
let model: string[];
let files: {
  chorus: string;
  crakeA: string;
  crakeB: string;
  include: string;
  exclude: string;
  thresholds: string;
  typo: string;
  badThreshold: string;
};

beforeAll(async () => {
  rig = await analyzeRig("acoupi-species-rules-");
  const modelPath = join(rig.dir, "birds.onnx");
  await Bun.write(modelPath, signedLevelModel(RATE, [2, 1.6, 0.8]));
  const labels = join(rig.dir, "birds.txt");
  await Bun.write(labels, [BLACKBIRD, NIGHTINGALE, OWL, CORNCRAKE].join("\n") + "\n");
  model = [
    "--program", "detection", "--model.path", modelPath, "--model.labels", labels,
    "--model.samplerate", String(RATE), "--model.window", "1", "--detections.threshold", "0.15",
  ];
  const w = (name: string) => join(rig.dir, name);
  files = {
    // Windows at −0.25 and −0.4: blackbird 0.5 / 0.8, nightingale 0.4 / 0.64, owl 0.2 / 0.32.
    chorus: await writeRecording(w("20240601_050000.WAV"), levels([[1, -0.25], [1, -0.4], [1, -0.25], [1, -0.4]]), RATE),
    // Corncrake (positive constant 0.5) at 0 s and 7 s; the next file starts 8 s later with one at 0 s and 5 s.
    crakeA: await writeRecording(w("20240601_220000.WAV"), levels([[1, 0.5], [6, 0], [1, 0.5]]), RATE),
    crakeB: await writeRecording(w("20240601_220008.WAV"), levels([[1, 0.5], [4, 0], [1, 0.5], [2, 0]]), RATE),
    include: w("include.txt"),
    exclude: w("exclude.txt"),
    thresholds: w("thresholds.csv"),
    typo: w("typo.txt"),
    badThreshold: w("bad-thresholds.csv"),
  };
  await Bun.write(files.include, `# the garden birds\n${BLACKBIRD}\nLuscinia megarhynchos\n`);
  await Bun.write(files.exclude, "luscinia megarhynchos\n");
  await Bun.write(files.thresholds, `species,threshold\nTurdus merula,0.6\n${OWL},0.1\n`);
  await Bun.write(files.typo, `${BLACKBIRD}\n\nTurdus merulla\n`);
  await Bun.write(files.badThreshold, "species,threshold\nTurdus merula,0.6\nStrix aluco,1.5\n");
});

afterAll(() => rig.cleanup());

type Found = [file: string, start: number, label: string, score: number];

function analyse(out: string, inputs: string[], extra: string[]): Found[] {
  const result = rig.run(["analyze", ...inputs, ...model, ...extra, "--out", out]);
  expect(result.code, said(result)).toBe(0);
  return storedDetections(join(rig.dir, out, "metadata.db")).map((d) => [d.file, d.start, d.label.split("_")[0] ?? "", Number(d.score.toFixed(2))]);
}

function why(out: string): Array<{ label: string; start_time_s: number; rule: string; reason: string }> {
  const result = rig.run(["detections", "--why", "--json", "--db", join(rig.dir, out, "metadata.db")]);
  expect(result.code, said(result)).toBe(0);
  return result.stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

const CHORUS = "20240601_050000.WAV";

describe("species lists and per-species thresholds on planted detections", () => {
  test("without rules every planted chorus detection is kept", () => {
    const found = analyse("plain", [files.chorus], []);
    expect(found.length).toBe(12);
    expect(why("plain")).toEqual([]);
  });

  test("an include list keeps its species and drops exactly the owls, and --why names species.include", () => {
    const found = analyse("include", [files.chorus], ["--species.include", files.include]);
    expect(found.map((f) => f[2]).sort()).toEqual([...Array(4).fill("Luscinia megarhynchos"), ...Array(4).fill("Turdus merula")]);
    const dropped = why("include");
    expect(dropped.map((d) => [d.label, d.start_time_s, d.rule]).sort()).toEqual([0, 1, 2, 3].map((s) => [OWL, s, "species.include"]));
  });

  test("an exclude list by scientific name drops exactly the nightingales", () => {
    const found = analyse("exclude", [files.chorus], ["--species.exclude", files.exclude]);
    expect(found.filter((f) => f[2] === "Luscinia megarhynchos")).toEqual([]);
    expect(found.length).toBe(8);
    const dropped = why("exclude");
    expect(dropped.map((d) => [d.label, d.rule]).sort()).toEqual(Array(4).fill([NIGHTINGALE, "species.exclude"]));
    expect(dropped[0]?.reason).toContain("line 1");
  });

  test("per-species thresholds drop the blackbirds under 0.6 and keep owls down to 0.1 under a global 0.3", () => {
    const found = analyse("thresholds", [files.chorus], ["--species.thresholds", files.thresholds, "--detections.threshold", "0.3"]);
    expect(found).toEqual([
      [CHORUS, 0, "Luscinia megarhynchos", 0.4],
      [CHORUS, 0, "Strix aluco", 0.2],
      [CHORUS, 1, "Luscinia megarhynchos", 0.64],
      [CHORUS, 1, "Strix aluco", 0.32],
      [CHORUS, 1, "Turdus merula", 0.8],
      [CHORUS, 2, "Luscinia megarhynchos", 0.4],
      [CHORUS, 2, "Strix aluco", 0.2],
      [CHORUS, 3, "Luscinia megarhynchos", 0.64],
      [CHORUS, 3, "Strix aluco", 0.32],
      [CHORUS, 3, "Turdus merula", 0.8],
    ]);
    const dropped = why("thresholds");
    expect(dropped.map((d) => [d.label, d.start_time_s, d.rule]).sort()).toEqual([
      [BLACKBIRD, 0, "species.thresholds"],
      [BLACKBIRD, 2, "species.thresholds"],
    ]);
    expect(dropped[0]?.reason).toContain("line 2");
  });
});

describe("the repeat-confirmation rule on planted detections", () => {
  test("two hits within 3 s confirm each other across consecutive recordings; lone hits are dropped", () => {
    const found = analyse("confirm", [files.crakeA, files.crakeB], ["--confirmation.min_hits", "2", "--confirmation.within_s", "3"]);
    expect(found).toEqual([
      ["20240601_220000.WAV", 7, "Crex crex", 0.5],
      ["20240601_220008.WAV", 0, "Crex crex", 0.5],
    ]);
    const dropped = why("confirm").map((d) => [d.label, d.start_time_s, d.rule]).sort();
    expect(dropped).toEqual([
      [CORNCRAKE, 0, "confirmation.min_hits"],
      [CORNCRAKE, 5, "confirmation.min_hits"],
    ]);
  });

  test("an exempt species needs no confirmation", async () => {
    const exempt = join(rig.dir, "exempt.txt");
    await Bun.write(exempt, "Crex crex\n");
    const found = analyse("exempt", [files.crakeA, files.crakeB], [
      "--confirmation.min_hits", "2", "--confirmation.within_s", "3", "--confirmation.exempt", exempt,
    ]);
    expect(found.length).toBe(4);
  });
});

describe("bad lists at check", () => {
  let d: Deployment;
  beforeAll(async () => {
    d = deploy({ mic: new Int16Array(RATE) });
  });
  afterAll(async () => {
    await d.cleanup();
  });

  function checkWith(extra: string[]) {
    const setup = d.run(["setup", "--no-prompt", "--microphone.device_name", d.mic.device, ...model, ...extra]);
    expect(setup.code, said(setup)).toBe(0);
    return d.run(["check"]);
  }

  test("lists whose every line matches a label pass check, which says so", () => {
    const check = checkWith(["--species.include", files.include, "--species.thresholds", files.thresholds]);
    expect(check.code, said(check)).toBe(0);
    expect(check.stdout).toContain("species.include: 2 species");
  });

  test("a list line matching no label is named with its line, and check fails", () => {
    const check = checkWith(["--species.include", files.typo]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("line 3 \"Turdus merulla\"");
    expect(check.stderr).toContain("species.include");
    expect(check.stderr).toContain(files.typo);
  });

  test("a confirmation wait as long as file management's max_wait is refused naming both keys", () => {
    const check = checkWith(["--confirmation.min_hits", "2", "--confirmation.within_s", "300", "--file_management.max_wait", "300"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("confirmation.within_s 300");
    expect(check.stderr).toContain("file_management.max_wait 300");
  });

  test("a threshold outside [0, 1] is named with its line", () => {
    const check = checkWith(["--species.thresholds", files.badThreshold]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("Line 3");
    expect(check.stderr).toContain("Strix aluco,1.5");
    expect(check.stderr).toContain("species.thresholds");
  });
});
