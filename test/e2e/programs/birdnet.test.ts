/**
 * @module The `birdnet` preset through the real CLI. No BirdNET weights ship, so the tests build
 * a tiny model with BirdNET v2.4's shapes ([1, 144000] audio in, [1, 6522] scores out: the mean
 * |x| of the window times 6522 fixed weights, 26 KB). The preset's defaults are acoupi_birdnet's,
 * a good model with 6522 labels passes `acoupi check`, and each bad model — missing, corrupt,
 * the wrong input shape, a labels file of the wrong length — fails `acoupi check` with a message
 * naming the config key to fix.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIRDNET_LABELS } from "../../../programs/birdnet.ts";
import { buildOnnxModel, energyModel } from "../../helpers/onnx-builder.ts";
import { deploy, said, type Deployment } from "../../helpers/deployment.ts";

/** [1, 144000] → [1, 6522]: mean |x| scaled by a fixed weight per label. */
function birdnetShapedModel(): Uint8Array {
  const weights = Float32Array.from({ length: BIRDNET_LABELS }, (_, i) => (i % 7) / 7);
  return buildOnnxModel({
    inputs: [{ name: "INPUT", shape: [1, 144000] }],
    outputs: [{ name: "SCORES", shape: [1, BIRDNET_LABELS] }],
    nodes: [
      { op: "Abs", inputs: ["INPUT"], outputs: ["abs"] },
      { op: "ReduceMean", inputs: ["abs"], outputs: ["level"], attributes: { axes: [1], keepdims: 1 } },
      { op: "Mul", inputs: ["level", "weights"], outputs: ["SCORES"] },
    ],
    initializers: [{ name: "weights", dims: [1, BIRDNET_LABELS], data: weights }],
  });
}

function labels(n: number): string {
  return Array.from({ length: n }, (_, i) => `Species ${i}_Common ${i}`).join("\n") + "\n";
}

// Each test runs the CLI with ORT: seconds on a loaded machine, not the default 5 s.
setDefaultTimeout(60_000);

let d: Deployment;
let files: { model: string; labels: string; shortLabels: string; corrupt: string; wrongShape: string };

beforeAll(async () => {
  d = deploy({ mic: new Int16Array(48000) });
  const dir = d.home.home;
  files = {
    model: join(dir, "BirdNET_GLOBAL_6K_V2.4.onnx"),
    labels: join(dir, "labels.txt"),
    shortLabels: join(dir, "labels-6000.txt"),
    corrupt: join(dir, "corrupt.onnx"),
    wrongShape: join(dir, "wrong-shape.onnx"),
  };
  writeFileSync(files.model, birdnetShapedModel());
  writeFileSync(files.labels, labels(BIRDNET_LABELS));
  writeFileSync(files.shortLabels, labels(6000));
  writeFileSync(files.corrupt, new Uint8Array(4096).map((_, i) => (i * 151 + 7) % 256));
  // A 0.5 s window at 16 kHz: 8000 samples, not BirdNET's 144000.
  writeFileSync(files.wrongShape, energyModel(8000, { outputs: BIRDNET_LABELS }));
});
afterAll(async () => {
  await d.cleanup();
});

function setupBirdnet(model: string, labelsFile: string): void {
  const setup = d.run([
    "setup", "--program", "birdnet", "--no-prompt",
    "--microphone.device_name", d.mic.device, "--model.path", model, "--model.labels", labelsFile,
  ]);
  expect(setup.code, said(setup)).toBe(0);
}

describe("the birdnet preset", () => {
  test("its defaults are acoupi_birdnet's: 04:00–23:00, messages at 0.4, birds and no_birds", () => {
    setupBirdnet(files.model, files.labels);
    const show = d.run(["config", "show"]);
    expect(show.code, said(show)).toBe(0);
    const config = JSON.parse(show.stdout.slice(show.stdout.indexOf("{"))) as Record<string, Record<string, unknown>>;
    expect(config.recording).toMatchObject({ schedule_start: "04:00:00", schedule_end: "23:00:00", duration: 3 });
    expect(config.microphone).toMatchObject({ samplerate: 48000 });
    expect(config.detections).toMatchObject({ message_threshold: 0.4 });
    expect(config.model).toMatchObject({ name: "BirdNET", samplerate: 48000, window: 3, activation: "sigmoid" });
    expect(config.saving_managers).toMatchObject({ true_dir: "birds", false_dir: "no_birds", detection_threshold: 0.4, saving_threshold: 0.2 });
  });

  test("a model with BirdNET's shapes and 6522 labels passes acoupi check", () => {
    setupBirdnet(files.model, files.labels);
    const check = d.run(["check"]);
    expect(check.code, said(check)).toBe(0);
    expect(check.stdout).toContain("Health checks passed");
  });

  test("a missing model file fails acoupi check naming model.path", () => {
    const missing = join(d.home.home, "not-downloaded.onnx");
    setupBirdnet(missing, files.labels);
    const check = d.run(["check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(missing);
    expect(check.stderr).toContain("model.path");
  });

  test("a labels file of the wrong length fails acoupi check naming model.labels and both counts", () => {
    setupBirdnet(files.model, files.shortLabels);
    const check = d.run(["check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("model.labels");
    expect(check.stderr).toContain("6522");
    expect(check.stderr).toContain("6000");
  });

  test("a corrupt model file fails acoupi check naming the file and model.path", () => {
    setupBirdnet(files.corrupt, files.labels);
    const check = d.run(["check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(files.corrupt);
    expect(check.stderr).toContain("model.path");
    // An error the user can act on, not a crash with a stack.
    expect(check.stderr).not.toContain("    at ");
  });

  test("a model with the wrong input shape fails acoupi check naming the samples and model.window", () => {
    setupBirdnet(files.wrongShape, files.labels);
    const check = d.run(["check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("8000 samples per window");
    expect(check.stderr).toContain("144000");
    expect(check.stderr).toContain("model.window");
  });
});
