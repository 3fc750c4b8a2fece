/**
 * @module The range filter through the `birdnet` preset: a BirdNET-shaped classifier built by the
 * test (6522 labels; the blackbird, nightingale and parakeet detected in every window) and a
 * geomodel of BirdNET's geomodel shape ([batch, 3] → its own 4 labels, in another order) whose
 * nightingale score rises with latitude and week. At 52° N the nightingale is reported in June
 * (week 21) and dropped in January (week 1); at the equator it is dropped in June too; the
 * parakeet is dropped everywhere. `acoupi species` lists exactly that difference, `check` counts
 * the classifier labels the geomodel does not know and refuses a geomodel whose labels do not
 * fit its output, and a range filter without coordinates is refused by name by `analyze` and
 * `start`. BirdNET's meta-model shape ([1, 3] → one score per classifier label) works too.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIRDNET_LABELS } from "../../../programs/birdnet.ts";
import { levels, storedDetections, writeRecording } from "../../helpers/analyze-fixtures.ts";
import { birdnetClassifier, geoModel } from "../../helpers/species-models.ts";
import { deploy, said, type Deployment } from "../../helpers/deployment.ts";

setDefaultTimeout(240_000);

const BLACKBIRD = "Turdus merula_Eurasian Blackbird";
const NIGHTINGALE = "Luscinia megarhynchos_Common Nightingale";
const PARAKEET = "Psittacula krameri_Rose-ringed Parakeet";
const RATE = 48_000;

let d: Deployment;
let f: Record<string, string>;

beforeAll(async () => {
  d = deploy({ mic: new Int16Array(RATE) });
  const dir = d.home.home;
  const w = (name: string) => join(dir, name);
  f = {
    classifier: w("BirdNET_GLOBAL_6K_V2.4.onnx"),
    labels: w("labels.txt"),
    geo: w("geomodel.onnx"),
    geoLabels: w("geomodel-labels.txt"),
    shortGeoLabels: w("geomodel-3-labels.txt"),
    meta: w("BirdNET_GLOBAL_6K_V2.4_MData_Model.onnx"),
    june: await writeRecording(w("card/20240601_120000.WAV"), levels([[3, 0.1]], RATE), RATE),
    january: await writeRecording(w("card/20240105_120000.WAV"), levels([[3, 0.1]], RATE), RATE),
    undated: await writeRecording(w("undated/undated.wav"), levels([[3, 0.1]], RATE), RATE),
  };
  const labels = Array.from({ length: BIRDNET_LABELS }, (_, i) => `Genus${i} species${i}_Common ${i}`);
  labels.splice(0, 3, BLACKBIRD, NIGHTINGALE, PARAKEET);
  writeFileSync(f.labels as string, `${labels.join("\n")}\n`);
  const biases = new Float32Array(BIRDNET_LABELS).fill(-10);
  biases.set([3, 3, 3]);
  writeFileSync(f.classifier as string, birdnetClassifier(biases));
  // The geomodel's own labels, in its own order; sigmoid(0.1·lat + 0.2·week − 10) for the nightingale.
  writeFileSync(f.geoLabels as string, ["Nothing here_Nobody", PARAKEET, NIGHTINGALE, BLACKBIRD].join("\n") + "\n");
  writeFileSync(f.shortGeoLabels as string, [PARAKEET, NIGHTINGALE, BLACKBIRD].join("\n") + "\n");
  writeFileSync(f.geo as string, geoModel([{ lat: 0, week: 0, bias: 0 }, { lat: 0, week: 0, bias: -10 }, { lat: 0.1, week: 0.2, bias: -10 }, { lat: 0, week: 0, bias: 5 }]));
  // The meta-model shape: one score per classifier label, the same three rules at the top.
  const meta = Array.from({ length: BIRDNET_LABELS }, () => ({ lat: 0, week: 0, bias: -10 }));
  meta.splice(0, 3, { lat: 0, week: 0, bias: 5 }, { lat: 0.1, week: 0.2, bias: -10 }, { lat: 0, week: 0, bias: -10 });
  writeFileSync(f.meta as string, geoModel(meta));
});
afterAll(async () => {
  await d.cleanup();
});

function setup(extra: string[]): void {
  const result = d.run([
    "setup", "--program", "birdnet", "--no-prompt", "--microphone.device_name", d.mic.device,
    "--model.path", f.classifier as string, "--model.labels", f.labels as string, "--range_filter.enabled", "true", ...extra,
  ]);
  expect(result.code, said(result)).toBe(0);
}

/** Detections carry the scientific name (the `species` tag); the test compares them by their full label. */
function full(name: string): string {
  return [BLACKBIRD, NIGHTINGALE, PARAKEET].find((label) => label.startsWith(`${name}_`)) ?? name;
}

function analyse(out: string, inputs: string[], place: string[]): Array<[string, string]> {
  const result = d.run(["analyze", ...inputs, ...place, "--out", join(d.home.home, out)]);
  expect(result.code, said(result)).toBe(0);
  return storedDetections(join(d.home.home, out, "metadata.db")).map((x) => [x.file, full(x.label)]);
}

function allowed(week: number, latitude = 52): string[] {
  const result = d.run(["species", "--latitude", String(latitude), "--longitude", "0", "--week", String(week), "--json"]);
  expect(result.code, said(result)).toBe(0);
  const parsed = JSON.parse(result.stdout) as { week: number; species: Array<{ label: string; score: number }> };
  expect(parsed.week).toBe(week);
  return parsed.species.map((s) => s.label).sort();
}

describe("a geomodel with its own labels", () => {
  test("check passes and counts the classifier labels the geomodel does not know", () => {
    setup(["--range_filter.path", f.geo as string, "--range_filter.labels", f.geoLabels as string]);
    const check = d.run(["check"]);
    expect(check.code, said(check)).toBe(0);
    expect(`${check.stdout}${check.stderr}`).toContain(`${BIRDNET_LABELS - 3} of the classifier's labels match no species of the range model`);
  });

  test("the nightingale is reported at 52° N in June, dropped in January and at the equator; the parakeet nowhere", () => {
    setup(["--range_filter.path", f.geo as string, "--range_filter.labels", f.geoLabels as string]);
    const north = analyse("north", [f.june as string, f.january as string], ["--latitude", "52", "--longitude", "0"]);
    expect(north).toEqual([
      ["20240105_120000.WAV", BLACKBIRD],
      ["20240601_120000.WAV", NIGHTINGALE],
      ["20240601_120000.WAV", BLACKBIRD],
    ]);
    const equator = analyse("equator", [f.june as string], ["--latitude", "0", "--longitude", "0"]);
    expect(equator).toEqual([["20240601_120000.WAV", BLACKBIRD]]);

    const why = d.run(["detections", "--why", "--json", "--db", join(d.home.home, "north", "metadata.db")]);
    expect(why.code, said(why)).toBe(0);
    const dropped = why.stdout.trim().split("\n").map((line) => JSON.parse(line) as { label: string; rule: string; reason: string; recording_created_on: string });
    expect(dropped.map((x) => [x.recording_created_on.slice(0, 10), full(x.label), x.rule]).sort()).toEqual([
      ["2024-01-05", NIGHTINGALE, "range_filter"],
      ["2024-01-05", PARAKEET, "range_filter"],
      ["2024-06-01", PARAKEET, "range_filter"],
    ]);
    expect(dropped.find((x) => full(x.label) === NIGHTINGALE)?.reason).toContain("week 1");
    const table = d.run(["detections", "--why", "--db", join(d.home.home, "north", "metadata.db")]);
    expect(table.stdout).toContain("range_filter");
  });

  test("a file with no date is judged over the whole year (week -1), not by its modification time", () => {
    setup(["--range_filter.path", f.geo as string, "--range_filter.labels", f.geoLabels as string]);
    // Its modification time is today; at 52° N only late-year weeks allow the nightingale, the whole year does not.
    const undated = analyse("undated", [f.undated as string], ["--latitude", "52", "--longitude", "0"]);
    expect(undated).toEqual([["undated.wav", BLACKBIRD]]);
    const why = d.run(["detections", "--why", "--json", "--label", "Luscinia megarhynchos", "--db", join(d.home.home, "undated", "metadata.db")]);
    expect(why.code, said(why)).toBe(0);
    expect((JSON.parse(why.stdout.trim()) as { reason: string }).reason).toContain("in week -1");
  });

  test("acoupi species lists the nightingale in week 21 and not in week 1", () => {
    setup(["--range_filter.path", f.geo as string, "--range_filter.labels", f.geoLabels as string]);
    const june = allowed(21);
    const january = allowed(1);
    expect(june.filter((s) => !january.includes(s))).toEqual([NIGHTINGALE]);
    expect(january.filter((s) => !june.includes(s))).toEqual([]);
    expect(june).toContain(BLACKBIRD);
    expect(june).not.toContain(PARAKEET);
    const text = d.run(["species", "--latitude", "52", "--longitude", "0", "--week", "21"]);
    expect(text.code, said(text)).toBe(0);
    expect(text.stdout).toContain("3 of 4 species allowed at 52, 0 in week 21");
    expect(text.stdout).toContain("Luscinia megarhynchos");
  });

  test("without coordinates, analyze and start refuse by name and nothing is analysed", () => {
    setup(["--range_filter.path", f.geo as string, "--range_filter.labels", f.geoLabels as string]);
    const analyze = d.run(["analyze", f.june as string, "--out", join(d.home.home, "nowhere")]);
    expect(analyze.code).toBe(1);
    expect(analyze.stderr).toContain("range_filter.enabled");
    expect(analyze.stderr).toContain("--latitude");
    const start = d.run(["start"]);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toContain("range_filter.enabled");
    expect(start.stderr).toContain("acoupi config set range_filter.enabled false");
  });

  test("a geomodel whose output count differs from its labels is refused at check with both numbers", () => {
    setup(["--range_filter.path", f.geo as string, "--range_filter.labels", f.shortGeoLabels as string]);
    const check = d.run(["check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("gives 4 scores");
    expect(check.stderr).toContain("range_filter.labels has 3 labels");
  });
});

describe("BirdNET's meta-model shape", () => {
  test("one score per classifier label: every label matches, and the mask moves with the week", () => {
    setup(["--range_filter.path", f.meta as string]);
    const check = d.run(["check"]);
    expect(check.code, said(check)).toBe(0);
    expect(check.stdout).toContain("Every classifier label matches a species of the range model");
    expect(allowed(21)).toEqual([NIGHTINGALE, BLACKBIRD].sort());
    expect(allowed(1)).toEqual([BLACKBIRD]);
  });
});
