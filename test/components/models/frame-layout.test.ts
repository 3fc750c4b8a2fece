/**
 * @module OnnxModel's checks of a model's layout against `model.frames`, `model.labels`,
 * `model.window`, `model.hop` and `model.frame_step`, each failing at `check` with the shapes,
 * numbers and keys; and a three-label per-frame model ([1, frames, labels]) whose events carry
 * the right label. The small models here are built at test time: audio [1, 8000] cut into 100
 * frames of 80 samples, whose per-frame score is the frame's mean square.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { modelFromConfig, ModelSectionSchema } from "../../../src/components/models/model-from-config.ts";
import { ModelConfigSchema, OnnxModel } from "../../../src/components/models/onnx-model.ts";
import { ModelError } from "../../../src/errors.ts";
import { BAT, batModel, batModelConfig } from "../../helpers/bat-model.ts";
import { buildOnnxModel, type Initializer, type NodeSpec } from "../../helpers/onnx-builder.ts";
import { recordingFor, tempDir, writeWav } from "../../helpers/model-fixtures.ts";

/** Real inference on a loaded machine can take seconds; the default 5 s timeout is too tight. */
const TIMEOUT = 60_000;
const dir = tempDir("acoupi-frame-layout-");
const RATE = 8000;
const FRAMES = 100;
const models: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const m of models) await m.close();
});

/**
 * Per-frame energy: [1, 100] (`columns` null), [1, 100, columns] (copies, the `silent` ones
 * multiplied by zero), or the energies reshaped to `reshape`.
 */
async function frameModel(name: string, options: { columns?: number | null; silent?: number[]; reshape?: number[] } = {}): Promise<string> {
  const { columns = null, silent = [], reshape } = options;
  const nodes: NodeSpec[] = [
    { op: "Reshape", inputs: ["audio", "frame_shape"], outputs: ["frames"] },
    { op: "Mul", inputs: ["frames", "frames"], outputs: ["power"] },
    { op: "ReduceMean", inputs: ["power"], outputs: ["energy"], attributes: { axes: [2], keepdims: columns === null && reshape === undefined ? 0 : 1 } },
  ];
  const initializers: Initializer[] = [{ name: "frame_shape", dims: [3], data: BigInt64Array.of(1n, BigInt(FRAMES), BigInt(RATE / FRAMES)) }];
  if (silent.length > 0) initializers.push({ name: "zero", dims: [], data: Float32Array.of(0) });
  let outShape: number[] = [1, FRAMES];
  let last = "energy";
  if (columns !== null) {
    const parts = Array.from({ length: columns }, (_, i) => {
      if (!silent.includes(i)) return "energy";
      nodes.push({ op: "Mul", inputs: ["energy", "zero"], outputs: [`silent_${i}`] });
      return `silent_${i}`;
    });
    nodes.push({ op: "Concat", inputs: parts, outputs: ["stacked"], attributes: { axis: 2 } });
    last = "stacked";
    outShape = [1, FRAMES, columns];
  }
  if (reshape !== undefined) {
    initializers.push({ name: "out_shape", dims: [reshape.length], data: BigInt64Array.from(reshape.map(BigInt)) });
    nodes.push({ op: "Reshape", inputs: [last, "out_shape"], outputs: ["reshaped"] });
    last = "reshaped";
    outShape = reshape;
  }
  nodes.push({ op: "Identity", inputs: [last], outputs: ["scores"] });
  const path = join(dir, `${name}.onnx`);
  await Bun.write(path, buildOnnxModel({ inputs: [{ name: "audio", shape: [1, RATE] }], outputs: [{ name: "scores", shape: outShape }], nodes, initializers }));
  return path;
}

function model(config: Record<string, unknown>): OnnxModel {
  const m = new OnnxModel(ModelConfigSchema.parse({ samplerate: RATE, window: 1, threshold: 0.1, ...config }));
  models.push(m);
  return m;
}

async function checkFailure(m: OnnxModel): Promise<ModelError> {
  const error = await m.check().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}

describe("OnnxModel frame layouts", () => {
  test("an output that is neither per-window nor per-frame is refused at check with the tensors' shapes and the keys to set", async () => {
    const path = await frameModel("neither", { reshape: [1, 25, 2, 2] });
    const error = await checkFailure(model({ path, labels: ["a"], frames: "peaks" }));
    expect(error.message).toBe(
      `Model "${path}" output "scores" is [1,25,2,2], which is neither per-window scores [batch, labels] nor per-frame scores [batch, frames] or [batch, frames, labels] (the model has inputs audio [1,8000] float32; outputs scores [1,25,2,2] float32)`,
    );
    for (const key of ["model.output", "model.frames", "model.labels"]) expect(error.help).toContain(key);
  }, TIMEOUT);

  test("per-frame scores read as per-window scores are refused with both counts and a pointer to model.frames", async () => {
    const path = await frameModel("one-class");
    const error = await checkFailure(model({ path, labels: ["bat"] }));
    expect(error.message).toBe(`Model "${path}" output "scores" [1,100] has 100 scores per window, but model.labels (the label list) has 1 labels`);
    expect(error.help).toContain("set model.frames to peaks or segments");
    const three = await frameModel("three-d", { columns: 3 });
    const error3 = await checkFailure(model({ path: three, labels: ["a", "b", "c"] }));
    expect(error3.message).toBe(`Model "${three}" output "scores" is [1,100,3], per-frame scores, but model.frames is none (one score per label per window)`);
    expect(error3.help).toContain("Set model.frames to peaks");
  }, TIMEOUT);

  test("a label count that differs from a per-frame output is named with both counts", async () => {
    const one = await frameModel("one-class");
    const error = await checkFailure(model({ path: one, labels: ["a", "b"], frames: "peaks" }));
    expect(error.message).toBe(`Model "${one}" output "scores" is [1,100]: one score per frame (one class), but model.labels (the label list) has 2 labels`);
    expect(error.help).toBe("Give model.labels one label, the name of the class");
    const three = await frameModel("three-d", { columns: 3 });
    const error3 = await checkFailure(model({ path: three, labels: ["a", "b"], frames: "segments" }));
    expect(error3.message).toBe(`Model "${three}" output "scores" is [1,100,3]: 3 scores per frame, but model.labels (the label list) has 2 labels`);
    expect(error3.help).toBe("Give model.labels exactly 3 labels, in the model's output order");
  }, TIMEOUT);

  test("softmax over one class and a frame step too long for the window are refused with the numbers", async () => {
    const path = await frameModel("one-class");
    const softmax = await checkFailure(model({ path, labels: ["a"], frames: "peaks", activation: "softmax" }));
    expect(softmax.message).toContain("model.activation is softmax");
    const step = await checkFailure(model({ path, labels: ["a"], frames: "peaks", frame_step: 0.02 }));
    expect(step.message).toBe("model.frame_step × frames is 0.02 × 100 = 2 s, longer than model.window 1 s");
    expect(step.help).toContain("Set model.frame_step to about 0.01");
  }, TIMEOUT);

  test("a window or hop that does not fit the worked example's input is named with the numbers", async () => {
    const path = join(dir, "bat.onnx");
    await Bun.write(path, batModel());
    const window = await checkFailure(model({ ...batModelConfig(path), window: 0.5, hop: null }));
    expect(window.message).toBe(`Model "${path}" input "audio" takes 102400 samples per window, but model.samplerate × model.window is 256000 × 0.5 = 128000`);
    expect(window.help).toBe("Set model.window to 0.4 (seconds) or model.samplerate to 204800");
    const hop = await checkFailure(model({ ...batModelConfig(path), hop: 0.5 }));
    expect(hop.message).toBe(
      "model.hop is 0.5 s (128000 samples at 256000 Hz), longer than model.window 0.4 s (102400 samples, the model's input): 0.1 s of every 0.5 s would never reach the model",
    );
  }, TIMEOUT);

  test("a per-frame model with several labels reports each label's events under its own label", async () => {
    const path = await frameModel("three-labels", { columns: 3, silent: [1] });
    // A burst of 0.9 from 0.5 s to 0.53 s and another from 0.8 s, in silence.
    const audio = new Float32Array(RATE);
    audio.fill(0.9, 4000, 4240);
    audio.fill(0.9, 6400, 6480);
    const wav = await writeWav(join(dir, "bursts.wav"), [audio], RATE);
    const output = await model({ path, labels: ["a", "b", "c"], frames: "segments" }).run(recordingFor(wav, RATE, 1));
    const events = output.detections.map((d) => [d.tags[0]?.tag.value, ...(d.location?.coordinates ?? []).map((v) => Number(v.toFixed(6)))]);
    expect(events).toEqual([
      ["a", 0.5, 0, 0.53, 4000],
      ["c", 0.5, 0, 0.53, 4000],
      ["a", 0.8, 0, 0.81, 4000],
      ["c", 0.8, 0, 0.81, 4000],
    ]);
  }, TIMEOUT);

  test("check warns about frame keys the chosen mode ignores", async () => {
    const path = await frameModel("one-class");
    const report = await model({ path, labels: ["a"], frames: "segments", min_gap: 0.02, merge_gap: 0.01 }).check();
    expect(report.warnings).toEqual(["model.min_gap is set but has no effect with model.frames segments"]);
    const plain = await model({ path: await frameModel("three-d", { columns: 3 }), labels: ["a", "b", "c"], frames: "peaks" }).check();
    expect(plain.warnings).toEqual([]);
  }, TIMEOUT);

  test("the model section passes the frame keys through modelFromConfig", async () => {
    const path = join(dir, "bat-section.onnx");
    await Bun.write(path, batModel());
    const m = modelFromConfig(ModelSectionSchema.parse(batModelConfig(path, "segments")), 0.5);
    models.push(m);
    const report = await m.check();
    expect(report.lines[0]).toContain(`${BAT.frames} frames of 4.706 ms per window, segments ≥ 0.5`);
  }, TIMEOUT);
});
