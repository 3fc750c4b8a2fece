/**
 * @module OnnxModel on a sound-event model of the worked example's contract (test/helpers/
 * bat-model.ts: audio [1, 102400] at 256 kHz → bat_prob [1, 85], windows 0.4 s every 0.377 s,
 * peaks at least 3 steps apart), with real inference on 16-bit WAVs holding FM sweeps planted at
 * known onsets in audible noise. Sweeps are planted in the windows' overlaps too, and in the
 * zero-padded last window.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ModelConfigSchema, OnnxModel } from "../../../src/components/models/onnx-model.ts";
import { ModelOutputSchema, type ModelOutput } from "../../../src/data/index.ts";
import { BAT, batModel, batModelConfig, writeBatWav } from "../../helpers/bat-model.ts";
import { recordingFor, tempDir } from "../../helpers/model-fixtures.ts";

/** Real inference on a loaded machine can take seconds; the default 5 s timeout is too tight. */
const TIMEOUT = 60_000;
const dir = tempDir("acoupi-sound-events-");
const MODEL = join(dir, "batdetect-shaped.onnx");
await Bun.write(MODEL, batModel());
const models: OnnxModel[] = [];

afterAll(async () => {
  for (const m of models) await m.close();
});

function batOnnxModel(overrides: Record<string, unknown> = {}, frames: "peaks" | "segments" = "peaks"): OnnxModel {
  const model = new OnnxModel(ModelConfigSchema.parse({ ...batModelConfig(MODEL, frames), ...overrides }));
  models.push(model);
  return model;
}

async function runOn(model: OnnxModel, name: string, seconds: number, onsets: number[], sweep?: { duration: number }): Promise<ModelOutput> {
  const path = join(dir, `${name}.wav`);
  await writeBatWav(path, { seconds, onsets, ...(sweep ? { sweep } : {}) });
  const output = await model.run(recordingFor(path, BAT.samplerate, seconds));
  expect(() => ModelOutputSchema.parse(output)).not.toThrow();
  return output;
}

const starts = (output: ModelOutput) => output.detections.map((d) => d.location?.coordinates[0] ?? NaN);

// Window starts are k × 0.377 s; overlaps are [0.377, 0.4], [0.754, 0.777], [1.131, 1.154] …
const ONSETS = [
  0.05,
  0.2,
  0.385, // inside the first overlap
  0.6,
  0.7655, // the middle of the second overlap, where ownership changes hands
  1.152, // cut by the end of the third window, whole in the fourth
  1.5,
  2.0,
  2.5,
  2.95, // in the zero-padded last window
];

describe("OnnxModel with model.frames = peaks (the worked example)", () => {
  test("each planted FM sweep is reported once, within 5 ms of its onset, as an event boxed by its frame", async () => {
    const model = batOnnxModel();
    const output = await runOn(model, "planted", 3, ONSETS);
    const found = starts(output);
    expect(found.length).toBe(ONSETS.length);
    for (const onset of ONSETS) {
      const nearest = Math.min(...found.map((s) => Math.abs(s - onset)));
      expect(nearest).toBeLessThanOrEqual(0.005);
    }
    for (const d of output.detections) {
      const [start, low, end, high] = d.location?.coordinates ?? [];
      expect(d.prediction_type).toBe("event");
      expect(end as number).toBeCloseTo((start as number) + BAT.step, 9);
      expect([low, high]).toEqual([0, BAT.samplerate / 2]);
      expect(d.detection_score).toBeGreaterThanOrEqual(0.5);
      expect(d.tags).toEqual([{ tag: { key: "species", value: "bat" }, confidence_score: d.detection_score }]);
    }
  }, TIMEOUT);

  test("no two reported calls are closer than model.min_gap, even where windows overlap", async () => {
    const model = batOnnxModel();
    // A sweep at every overlap of the first eight windows, and one just before each.
    const overlaps = Array.from({ length: 7 }, (_, k) => (k + 1) * BAT.hop + 0.01);
    const onsets = overlaps.flatMap((t) => [t - 0.1, t]);
    const found = starts(await runOn(model, "overlaps", 3, onsets)).sort((a, b) => a - b);
    expect(found.length).toBe(onsets.length);
    for (let i = 1; i < found.length; i++) expect((found[i] as number) - (found[i - 1] as number)).toBeGreaterThanOrEqual(BAT.minGap - 1e-9);
  }, TIMEOUT);

  test("audio with no ultrasonic sweep, only loud audible hum and faint hiss, gives no detection", async () => {
    const output = await runOn(batOnnxModel(), "no-bats", 3, []);
    expect(output.detections).toEqual([]);
  }, TIMEOUT);

  test("without min_gap, two calls 6 ms apart are both reported; with the worked example's min_gap only one is", async () => {
    const output = await runOn(batOnnxModel({ min_gap: 0 }), "close-pair", 0.4, [0.1, 0.1094]);
    expect(output.detections.length).toBe(2);
    const thinned = await runOn(batOnnxModel(), "close-pair", 0.4, [0.1, 0.1094]);
    expect(thinned.detections.length).toBe(1);
  }, TIMEOUT);

  test("model.frame_step overrides the frame length that window / frames gives", async () => {
    const output = await runOn(batOnnxModel({ frame_step: 0.004 }), "frame-step", 0.4, [0.2]);
    const [start, , end] = output.detections[0]?.location?.coordinates ?? [];
    expect(output.detections.length).toBe(1);
    expect((end as number) - (start as number)).toBeCloseTo(0.004, 9);
    // The frame index the model gave (about 0.2 / 4.706 ms = 42.5) is placed 4 ms per frame.
    expect([42, 43].map((f) => Number((f * 0.004).toFixed(6)))).toContain(Number((start as number).toFixed(6)));
  }, TIMEOUT);

  test("several windows per inference run give the same events as one window per run", async () => {
    const dynamic = join(dir, "batdetect-dynamic-batch.onnx");
    await Bun.write(dynamic, batModel({ batch: "n" }));
    const one = await runOn(batOnnxModel({ path: dynamic }), "batched", 3, ONSETS);
    // 8 windows in runs of 3, 3 and 2.
    const three = await runOn(batOnnxModel({ path: dynamic, batch: 3 }), "batched", 3, ONSETS);
    expect(three.detections.length).toBe(ONSETS.length);
    expect(three.detections.map((d) => [d.location?.coordinates, d.detection_score.toFixed(5)])).toEqual(
      one.detections.map((d) => [d.location?.coordinates, d.detection_score.toFixed(5)]),
    );
  }, TIMEOUT);

  test("check reports the frame layout and the peak rule", async () => {
    const report = await batOnnxModel().check();
    expect(report.lines[0]).toContain("bat_prob [1,85] float32");
    expect(report.lines[0]).toContain("85 frames of 4.706 ms per window, peaks ≥ 0.5 at least 14.1 ms apart");
  }, TIMEOUT);
});

describe("OnnxModel with model.frames = segments", () => {
  // A train of five sweeps 20 ms apart across the first windows' overlap, then a lone sweep.
  const TRAIN = [0.34, 0.36, 0.38, 0.4, 0.42];
  const LONE = 1.0;

  test("runs of frames merge across gaps up to model.merge_gap into one sequence with a start and an end, also across overlapping windows", async () => {
    const output = await runOn(batOnnxModel({ merge_gap: 0.025 }, "segments"), "train", 1.5, [...TRAIN, LONE]);
    const boxes = output.detections.map((d) => d.location?.coordinates ?? []);
    expect(output.detections.map((d) => d.prediction_type)).toEqual(["sequence", "sequence"]);
    const [train, lone] = boxes;
    expect(Math.abs((train?.[0] as number) - 0.34)).toBeLessThanOrEqual(0.005);
    expect(Math.abs((train?.[2] as number) - (0.42 + 0.003))).toBeLessThanOrEqual(0.005);
    expect(Math.abs((lone?.[0] as number) - LONE)).toBeLessThanOrEqual(0.005);
    expect((lone?.[2] as number) - (lone?.[0] as number)).toBeLessThanOrEqual(2 * BAT.step + 1e-9);
  }, TIMEOUT);

  test("with model.merge_gap 0 each sweep of the train is a segment of its own, and the overlap does not double any", async () => {
    const output = await runOn(batOnnxModel({ merge_gap: 0 }, "segments"), "train", 1.5, [...TRAIN, LONE]);
    const found = starts(output);
    expect(found.length).toBe(TRAIN.length + 1);
    [...TRAIN, LONE].forEach((onset, i) => expect(Math.abs((found[i] as number) - onset)).toBeLessThanOrEqual(0.005));
  }, TIMEOUT);
});
