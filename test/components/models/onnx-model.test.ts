import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ModelConfigSchema, OnnxModel, type ModelConfig } from "../../../src/components/models/onnx-model.ts";
import { ModelOutputSchema } from "../../../src/data/index.ts";
import { ModelError } from "../../../src/errors.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { recordingFor, tempDir, tone, writeWav } from "../../helpers/model-fixtures.ts";

const dir = tempDir();
const RATE = 8000;
const models: OnnxModel[] = [];

async function modelFile(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await Bun.write(path, bytes);
  return path;
}

function onnxModel(config: Partial<ModelConfig> & { path: string }, threshold?: number): OnnxModel {
  const parsed = ModelConfigSchema.parse({ labels: ["loud", "energetic"], samplerate: RATE, window: 1, ...config });
  const model = new OnnxModel(parsed, { threshold });
  models.push(model);
  return model;
}

function constant(value: number, seconds: number, samplerate = RATE): Float32Array {
  return new Float32Array(Math.round(seconds * samplerate)).fill(value);
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** 3.5 s: a silent second, a second of 0.5, a second alternating ±0.8, half a second of 0.6. */
const KNOWN_AUDIO = concat(
  constant(0, 1),
  constant(0.5, 1),
  Float32Array.from({ length: RATE }, (_, i) => (i % 2 === 0 ? 0.8 : -0.8)),
  constant(0.6, 0.5),
);

function summary(output: Awaited<ReturnType<OnnxModel["run"]>>) {
  return output.detections.map((d) => ({
    label: d.tags[0]?.tag.value,
    key: d.tags[0]?.tag.key,
    score: Number(d.detection_score.toFixed(3)),
    confidence: Number((d.tags[0]?.confidence_score ?? -1).toFixed(3)),
    box: d.location?.coordinates,
    type: d.prediction_type,
  }));
}

afterAll(async () => {
  for (const m of models) await m.close();
});

describe("OnnxModel", () => {
  test("OnnxModel emits a presence detection per window and label scoring at least the threshold, at the expected times", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const wav = await writeWav(join(dir, "known.wav"), [KNOWN_AUDIO], RATE);
    const model = onnxModel({ path }, 0.2);
    expect(model.name).toBe("energy");
    const recording = recordingFor(wav, RATE, 3.5);
    const output = await model.run(recording);
    expect(() => ModelOutputSchema.parse(output)).not.toThrow();
    expect(output.name_model).toBe("energy");
    expect(output.recording).toBe(recording);
    expect(summary(output)).toEqual([
      { label: "loud", key: "species", score: 0.5, confidence: 0.5, box: [1, 0, 2, 4000], type: "presence" },
      { label: "energetic", key: "species", score: 0.25, confidence: 0.25, box: [1, 0, 2, 4000], type: "presence" },
      { label: "loud", key: "species", score: 0.8, confidence: 0.8, box: [2, 0, 3, 4000], type: "presence" },
      { label: "energetic", key: "species", score: 0.64, confidence: 0.64, box: [2, 0, 3, 4000], type: "presence" },
      // The last half second is zero-padded to a full window, so its mean |x| halves to 0.3.
      { label: "loud", key: "species", score: 0.3, confidence: 0.3, box: [3, 0, 3.5, 4000], type: "presence" },
    ]);
  });

  test("OnnxModel uses model.threshold over the program threshold, and hop spaces the windows", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const wav = await writeWav(join(dir, "known.wav"), [KNOWN_AUDIO], RATE);
    const model = onnxModel({ path, hop: 0.5, threshold: 0.6, name: "hopper" }, 0.01);
    expect(model.threshold).toBe(0.6);
    const output = await model.run(recordingFor(wav, RATE, 3.5));
    expect(output.name_model).toBe("hopper");
    // Windows start at 0, 0.5, …, 2.5; half-and-half windows score the mean of their halves.
    expect(summary(output).map((d) => [d.label, d.score, d.box])).toEqual([
      ["loud", 0.65, [1.5, 0, 2.5, 4000]],
      ["loud", 0.8, [2, 0, 3, 4000]],
      ["energetic", 0.64, [2, 0, 3, 4000]],
      ["loud", 0.7, [2.5, 0, 3.5, 4000]],
    ]);
  });

  test("OnnxModel batches windows on a model with a dynamic batch dimension and gets the same detections", async () => {
    const path = await modelFile("energy-dyn.onnx", energyModel(RATE, { batch: "batch" }));
    const wav = await writeWav(join(dir, "known.wav"), [KNOWN_AUDIO], RATE);
    const one = await onnxModel({ path, batch: 1 }, 0.2).run(recordingFor(wav, RATE, 3.5));
    const three = await onnxModel({ path, batch: 3 }, 0.2).run(recordingFor(wav, RATE, 3.5));
    expect(summary(three)).toEqual(summary(one));
    expect(three.detections).toHaveLength(5);
  });

  test("OnnxModel mixes a stereo 16-bit recording down to mono", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const wav = await writeWav(join(dir, "stereo.wav"), [constant(0.5, 1), constant(0, 1)], RATE, "int16");
    const output = await onnxModel({ path }, 0.05).run(recordingFor(wav, RATE, 1));
    expect(output.detections.map((d) => d.tags[0]?.tag.value)).toEqual(["loud", "energetic"]);
    expect(output.detections[0]?.detection_score).toBeCloseTo(0.25, 4);
    expect(output.detections[1]?.detection_score).toBeCloseTo(0.0625, 4);
  });

  test("OnnxModel resamples without aliasing: a tone above the model's Nyquist frequency is removed", async () => {
    const path = await modelFile("energy16k.onnx", energyModel(16000));
    const model = onnxModel({ path, samplerate: 16000, labels: ["loud", "energy"] }, 0);
    // 48 kHz recordings; the model runs at 16 kHz (Nyquist 8 kHz).
    const high = await writeWav(join(dir, "high.wav"), [tone(11000, 1, 48000)], 48000);
    const low = await writeWav(join(dir, "low.wav"), [tone(1000, 1, 48000)], 48000);
    const energy = async (wav: string) => {
      const output = await model.run(recordingFor(wav, 48000, 1));
      expect(output.detections[0]?.location?.coordinates).toEqual([0, 0, 1, 24000]);
      return output.detections.find((d) => d.tags[0]?.tag.value === "energy")?.detection_score ?? -1;
    };
    // A 0.5-amplitude sine has mean square 0.125; naive decimation would fold 11 kHz to 5 kHz at full power.
    expect(await energy(low)).toBeCloseTo(0.125, 2);
    expect(await energy(high)).toBeLessThan(0.125 / 1000);
  });

  test("OnnxModel returns an empty output for a recording without a file", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const output = await onnxModel({ path }).run(recordingFor(null, RATE, 3));
    expect(output.detections).toEqual([]);
    expect(output.name_model).toBe("energy");
  });

  test("OnnxModel reads labels from a file with one label per line", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const labels = join(dir, "labels.txt");
    await Bun.write(labels, "Turdus merula_Eurasian Blackbird\n\nErithacus rubecula_European Robin\n");
    const wav = await writeWav(join(dir, "half.wav"), [constant(0.5, 1)], RATE);
    const output = await onnxModel({ path, labels, tag_key: "bird" }, 0.2).run(recordingFor(wav, RATE, 1));
    expect(output.detections.map((d) => d.tags[0]?.tag)).toEqual([
      { key: "bird", value: "Turdus merula_Eurasian Blackbird" },
      { key: "bird", value: "Erithacus rubecula_European Robin" },
    ]);
  });

  test("OnnxModel applies sigmoid and softmax activations", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const wav = await writeWav(join(dir, "half.wav"), [constant(0.5, 1)], RATE);
    const sig = await onnxModel({ path, activation: "sigmoid" }, 0).run(recordingFor(wav, RATE, 1));
    expect(sig.detections.map((d) => d.detection_score)).toEqual([1 / (1 + Math.exp(-0.5)), 1 / (1 + Math.exp(-0.25))].map((x) => expect.closeTo(x, 6)));
    const soft = await onnxModel({ path, activation: "softmax" }, 0).run(recordingFor(wav, RATE, 1));
    const e = [Math.exp(0.5), Math.exp(0.25)];
    expect(soft.detections.map((d) => d.detection_score)).toEqual(e.map((x) => expect.closeTo(x / (e[0]! + e[1]!), 6)));
  });
});

describe("OnnxModel errors", () => {
  async function failure(model: OnnxModel): Promise<ModelError> {
    const error = await model.check().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  }

  test("OnnxModel names the missing model file and the config key", async () => {
    const error = await failure(onnxModel({ path: join(dir, "nowhere.onnx") }));
    expect(error.message).toBe(`Model file "${join(dir, "nowhere.onnx")}" does not exist`);
    expect(error.help).toContain("model.path");
  });

  test("OnnxModel names a corrupt model file", async () => {
    const path = await modelFile("corrupt.onnx", crypto.getRandomValues(new Uint8Array(300)));
    const error = await failure(onnxModel({ path }));
    expect(error.message).toStartWith(`Cannot load model file "${path}" (model.path): `);
    expect(error.help).toContain("complete ONNX model");
  });

  test("OnnxModel refuses an input length that does not fit samplerate × window", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const error = await failure(onnxModel({ path, window: 0.5 }));
    expect(error.message).toBe(
      `Model "${path}" input "audio" takes 8000 samples per window, but model.samplerate × model.window is 8000 × 0.5 = 4000`,
    );
    expect(error.help).toBe("Set model.window to 1 (seconds) or model.samplerate to 16000");
  });

  test("OnnxModel refuses a batch size the model's input does not take", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const error = await failure(onnxModel({ path, batch: 4 }));
    expect(error.message).toContain("takes batches of 1 windows, but model.batch is 4");
  });

  test("OnnxModel refuses a label count that differs from the output size", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const error = await failure(onnxModel({ path, labels: ["a", "b", "c"] }));
    expect(error.message).toBe(`Model "${path}" output "scores" [1,2] has 2 scores per window, but model.labels (the label list) has 3 labels`);
    expect(error.help).toBe("Give model.labels exactly 2 labels, in the model's output order");
  });

  test("OnnxModel catches a label count mismatch even when the model declares a dynamic output size", async () => {
    // ORT infers the output size from the graph, so check() already knows it.
    const path = await modelFile("energy-dynout.onnx", energyModel(RATE, { outputs: 4, outputShape: ["n", "labels"] }));
    const labels = join(dir, "three.txt");
    await Bun.write(labels, "a\nb\nc\n");
    const error = await failure(onnxModel({ path, labels }));
    expect(error.message).toContain(`has 4 scores per window, but model.labels (labels file "${labels}") has 3 labels`);
  });

  test("OnnxModel names a missing labels file", async () => {
    const path = await modelFile("energy.onnx", energyModel(RATE));
    const error = await failure(onnxModel({ path, labels: join(dir, "no-labels.txt") }));
    expect(error.message).toBe(`Labels file "${join(dir, "no-labels.txt")}" (model.labels) does not exist`);
  });

  test("OnnxModel refuses a model with extra inputs it cannot feed", async () => {
    const error = await failure(onnxModel({ path: "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx", samplerate: 16000, window: 0.032 }));
    expect(error.message).toContain(`has inputs "state", "sr" besides the audio input "input"`);
    expect(error.help).toContain("SileroVadModel");
  });

  test("importing the model classes loads neither onnxruntime-web nor libsamplerate", () => {
    const script = [
      'await import("./src/components/models/onnx-model.ts");',
      'await import("./src/components/models/silero-vad-model.ts");',
      "console.log(Object.keys(require.cache).filter((k) => /onnxruntime|libsamplerate/.test(k)).length);",
    ].join("\n");
    const result = Bun.spawnSync([process.execPath, "-e", script], { cwd: join(import.meta.dir, "../../.."), stderr: "pipe" });
    expect(result.stderr.toString()).toBe("");
    expect(result.stdout.toString().trim()).toBe("0");
  });

  test("ModelConfigSchema refuses a model path that is not an .onnx file", () => {
    const result = ModelConfigSchema.safeParse({ path: "model.tflite", labels: ["a"], samplerate: 48000, window: 3 });
    expect(result.success).toBe(false);
  });
});
