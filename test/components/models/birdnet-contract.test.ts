/**
 * @module BirdNET's published contract through the `birdnet` preset's model section, in process,
 * with real inference on a model of the published ONNX conversions' I/O (test/helpers/
 * birdnet-model.ts: logits are a known function of each window's mean |x|). Only `model.path` and
 * `model.labels` are set unless a test says otherwise. Scores follow BirdNET-Analyzer's
 * `1 / (1 + exp(−s · clip(x, −15, 15)))`, windows are spaced by `window − overlap`, labels split
 * into species and common name, and wrong files (.tflite, a hash that differs) are refused up front.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BirdnetConfigSchema } from "../../../programs/birdnet.ts";
import { modelFromConfig } from "../../../src/components/models/model-from-config.ts";
import type { Model } from "../../../src/components/models/types.ts";
import { ModelError } from "../../../src/errors.ts";
import type { ModelOutput } from "../../../src/data/index.ts";
import { BIRDNET_IO, birdnetLabels, birdnetModel, logit, sine } from "../../helpers/birdnet-model.ts";
import { recordingFor, tempDir, writeWav } from "../../helpers/model-fixtures.ts";

const TIMEOUT = 60_000;
const dir = tempDir("acoupi-birdnet-contract-");
const MODEL = join(dir, "BirdNET_GLOBAL_6K_V2.4_Model_FP32.onnx");
const LABELS = join(dir, "BirdNET_GLOBAL_6K_V2.4_Labels.txt");
const bytes = birdnetModel();
await Bun.write(MODEL, bytes);
await Bun.write(LABELS, birdnetLabels());
const SHA256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
const models: Model[] = [];
afterAll(async () => {
  for (const m of models) await m.close();
});

const ModelSection = BirdnetConfigSchema.shape.model;

function birdnet(extra: Record<string, unknown> = {}): Model {
  const model = modelFromConfig(ModelSection.parse({ path: MODEL, labels: LABELS, ...extra }), 0.001);
  models.push(model);
  return model;
}

const score = (x: number, s = 1) => 1 / (1 + Math.exp(-s * Math.min(15, Math.max(-15, x))));

/** Mean |x| of each window starting at `starts` (seconds), zero-padded past the end, as float32 audio. */
function levels(audio: Float32Array, starts: number[]): number[] {
  return starts.map((start) => {
    const from = Math.round(start * BIRDNET_IO.samplerate);
    let sum = 0;
    for (let i = from; i < from + BIRDNET_IO.samples && i < audio.length; i++) sum += Math.abs(audio[i] as number);
    return sum / BIRDNET_IO.samples;
  });
}

async function runOn(model: Model, name: string, audio: Float32Array): Promise<ModelOutput> {
  const path = await writeWav(join(dir, `${name}.wav`), [audio], BIRDNET_IO.samplerate);
  return model.run(recordingFor(path, BIRDNET_IO.samplerate, audio.length / BIRDNET_IO.samplerate));
}

/** [start, end, species, common name, score] of each detection, in order. */
function rows(output: ModelOutput): Array<[number, number, string, string | undefined, number]> {
  return output.detections.map((d) => {
    const [start, , end] = d.location?.coordinates ?? [NaN, 0, NaN];
    const species = d.tags.find((t) => t.tag.key === "species");
    const common = d.tags.find((t) => t.tag.key === "common_name");
    return [start, end, species?.tag.value ?? "", common?.tag.value, d.detection_score];
  });
}

describe("BirdNET's published contract", () => {
  test("with only model.path and model.labels, a [batch, 144000] → 6522-logit model scores each label by the sigmoid of its logit", async () => {
    const audio = sine(3, 0.5);
    const [level] = levels(audio, [0]) as [number];
    const output = await runOn(birdnet(), "one-window", audio);
    expect(output.name_model).toBe("BirdNET");
    const got = rows(output);
    expect(got.map(([, , species, common]) => [species, common])).toEqual([
      ["Turdus merula", "Eurasian Blackbird"],
      ["Erithacus rubecula", "European Robin"],
      ["Strix aluco", "Tawny Owl"],
    ]);
    // ORT sums the window in float32: the level, so the Blackbird's logit, is good to about 1e-3.
    got.forEach(([start, end, , , s], i) => {
      expect([start, end]).toEqual([0, 3]);
      expect(s).toBeCloseTo(score(logit(i, level)), i === 0 ? 2 : 6);
    });
    // The Robin's logit (about 32) is clipped at 15, as BirdNET-Analyzer does.
    expect(logit(1, level)).toBeGreaterThan(15);
    expect(got[1]?.[4]).toBeCloseTo(score(15), 6);
  }, TIMEOUT);

  test("species and common name are separate tags with the same confidence, the species first", async () => {
    const output = await runOn(birdnet(), "tags", sine(3, 0.5));
    const first = output.detections[0];
    expect(first).toBeDefined();
    const confidence = first?.detection_score ?? NaN;
    expect(first?.tags.map((t) => [t.tag.key, t.tag.value, t.confidence_score])).toEqual([
      ["species", "Turdus merula", confidence],
      ["common_name", "Eurasian Blackbird", confidence],
    ]);
  }, TIMEOUT);

  test("model.sensitivity scales the clipped logit: 1.5 sharpens the scores and 0.5 flattens them", async () => {
    const audio = sine(3, 0.5);
    const plain = rows(await runOn(birdnet(), "sensitivity-1", audio)).map(([, , , , p]) => p);
    // The logits the model gave, read back from the plain scores (the Robin's is clipped at 15).
    const logits = [Math.log((plain[0] as number) / (1 - (plain[0] as number))), 15, logit(2, 0)];
    const scored: Record<string, number[]> = {};
    for (const s of [0.5, 1.5]) {
      const got = rows(await runOn(birdnet({ sensitivity: s }), `sensitivity-${s}`, audio));
      expect(got.length).toBe(3);
      scored[s] = got.map(([, , , , value]) => value);
      got.forEach(([, , , , value], i) => expect(value).toBeCloseTo(score(logits[i] as number, s), 6));
    }
    // Above the midpoint a higher sensitivity raises the score, below it lowers it.
    expect(scored[0.5]?.[0]).toBeLessThan(plain[0] as number);
    expect(scored[1.5]?.[0]).toBeGreaterThan(plain[0] as number);
    expect(scored[1.5]?.[2]).toBeLessThan(plain[2] as number);
    expect(scored[0.5]?.[2]).toBeGreaterThan(plain[2] as number);
    expect(() => ModelSection.parse({ path: MODEL, labels: LABELS, sensitivity: 1.6 })).toThrow();
    expect(() => ModelSection.parse({ path: MODEL, labels: LABELS, sensitivity: 0.4 })).toThrow();
  }, TIMEOUT);

  test("model.overlap spaces windows by window − overlap, the same windows as that hop, each scored on its own audio", async () => {
    // 3 s loud, then 4.5 s quieter: every window has its own level.
    const audio = new Float32Array(7.5 * BIRDNET_IO.samplerate);
    audio.set(sine(3, 0.5));
    audio.set(sine(4.5, 0.2), 3 * BIRDNET_IO.samplerate);
    const blackbird = (output: ModelOutput) => rows(output).filter(([, , species]) => species === "Turdus merula");

    const none = blackbird(await runOn(birdnet(), "overlap-0", audio));
    expect(none.map(([start, end]) => [start, end])).toEqual([[0, 3], [3, 6], [6, 7.5]]);

    const overlapped = blackbird(await runOn(birdnet({ overlap: 1.5 }), "overlap-1.5", audio));
    // The last window starts at 4.5 s: it reaches the end, so none starts at 6 s.
    const starts = [0, 1.5, 3, 4.5];
    expect(overlapped.map(([start, end]) => [start, end])).toEqual(starts.map((s) => [s, Math.min(s + 3, 7.5)]));
    levels(audio, starts).forEach((level, w) => expect(overlapped[w]?.[4]).toBeCloseTo(score(logit(0, level)), 2));
    // Each window is scored on its own audio: the loud one, two half loud, one quiet.
    const byWindow = overlapped.map(([, , , , p]) => p);
    expect(byWindow[0]).toBeGreaterThan(byWindow[1] as number);
    expect(byWindow[1]).toBeGreaterThan(byWindow[3] as number);

    const hopped = blackbird(await runOn(birdnet({ hop: 1.5 }), "hop-1.5", audio));
    expect(hopped).toEqual(overlapped);
  }, TIMEOUT);

  test("acoupi check says how the windows are spaced and the sensitivity, when they are not the defaults", async () => {
    const plain = await birdnet().check();
    expect(plain.lines[0]).toContain("144000 samples per window");
    expect(plain.lines[0]).not.toContain("windows every");
    const tuned = await birdnet({ overlap: 1.5, sensitivity: 1.25 }).check();
    expect(tuned.lines[0]).toContain("144000 samples per window, windows every 1.5 s, sensitivity 1.25");
  }, TIMEOUT);

  test("model.overlap and model.hop together are refused by name, and so is an overlap that leaves no hop", () => {
    const both = ModelSection.safeParse({ path: MODEL, labels: LABELS, overlap: 1, hop: 2 });
    expect(both.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["overlap", "Give model.overlap or model.hop, not both (model.overlap is model.window − model.hop)"],
    ]);
    expect(ModelSection.safeParse({ path: MODEL, labels: LABELS, overlap: 2.9 }).success).toBe(true);
    const tooMuch = ModelSection.safeParse({ path: MODEL, labels: LABELS, overlap: 2.95 });
    expect(tooMuch.error?.issues[0]?.message).toContain("must be at most 2.9 s for a 3 s model.window");
  });
});

describe("wrong model files are refused up front", () => {
  test("a .tflite path is refused with what to do, not as a corrupt file", () => {
    const result = ModelSection.safeParse({ path: join(dir, "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"), labels: LABELS });
    const message = result.error?.issues[0]?.message ?? "";
    expect(message).toContain("TensorFlow Lite");
    expect(message).toContain("ONNX conversion");
    expect(message).toContain("docs/birdnet.md");
    expect(message).not.toMatch(/corrupt|truncated|download it again/i);
  });

  test("a TensorFlow Lite file renamed .onnx is refused by check with the same advice", async () => {
    const renamed = join(dir, "renamed-tflite.onnx");
    // A TFLite flatbuffer: a root offset, then the file identifier "TFL3".
    await Bun.write(renamed, Uint8Array.from([0x1c, 0, 0, 0, ...new TextEncoder().encode("TFL3"), ...new Uint8Array(64)]));
    const error = (await birdnet({ path: renamed }).check().catch((e: unknown) => e)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("is a TensorFlow Lite model (.tflite)");
    expect(error.message).toContain("model.path");
    expect(`${error.message} ${error.help}`).not.toMatch(/truncated|download it again/i);
  });

  test("model.sha256 loads the pinned file and refuses a different one, showing both hashes", async () => {
    const ok = await birdnet({ sha256: SHA256.toUpperCase() }).check();
    expect(ok.lines[0]).toContain("6522 labels");
    const wrong = "0".repeat(64);
    const error = (await birdnet({ sha256: wrong }).check().catch((e: unknown) => e)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain(SHA256);
    expect(error.message).toContain(wrong);
    expect(error.message).toContain("model.sha256");
    expect(error.help).toContain(`set model.sha256 to ${SHA256}`);
    expect(ModelSection.safeParse({ path: MODEL, labels: LABELS, sha256: "abc" }).error?.issues[0]?.message).toContain("64 hexadecimal digits");
  }, TIMEOUT);
});
