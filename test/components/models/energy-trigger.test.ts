/**
 * @module The energy trigger as a model of its own, as a processing filter, and in front of the
 * worked example's sound-event model (TriggeredModel), on 16-bit WAVs at 256 kHz with FM sweeps
 * planted in loud audible noise, and on a time-expanded file.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EnergyTrigger, excessScore, TriggerConfigSchema } from "../../../src/components/models/energy-trigger.ts";
import { ModelConfigSchema, OnnxModel } from "../../../src/components/models/onnx-model.ts";
import { TriggeredModel } from "../../../src/components/models/triggered-model.ts";
import { energyTriggerFilter } from "../../../src/components/processing-filters/energy-trigger.ts";
import { ModelOutputSchema } from "../../../src/data/index.ts";
import { BAT, batAudio, batModel, batModelConfig, wav16, writeBatWav } from "../../helpers/bat-model.ts";
import { recordingFor, tempDir } from "../../helpers/model-fixtures.ts";

const TIMEOUT = 60_000;
const dir = tempDir("acoupi-energy-trigger-");
const MODEL = join(dir, "batdetect-shaped.onnx");
await Bun.write(MODEL, batModel());
const ONSETS = [0.1, 0.39, 0.62];
const CALLS = join(dir, "calls.wav");
const EMPTY = join(dir, "empty.wav");
await writeBatWav(CALLS, { seconds: 1, onsets: ONSETS });
await writeBatWav(EMPTY, { seconds: 1 });
const closing: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const m of closing) await m.close();
});

const trigger = () => new EnergyTrigger(TriggerConfigSchema.parse({}));
const recording = (path: string) => recordingFor(path, BAT.samplerate, 1);

describe("the energy trigger", () => {
  test("its keys default to a 20–120 kHz band, 12 dB over 2 ms, and an inverted band is refused by name", () => {
    expect(TriggerConfigSchema.parse({})).toEqual({ fmin_hz: 20_000, fmax_hz: 120_000, threshold_db: 12, min_duration_s: 0.002 });
    const bad = TriggerConfigSchema.safeParse({ fmin_hz: 50_000, fmax_hz: 40_000 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain("trigger.fmax_hz must be above trigger.fmin_hz");
  });

  test("alone, it gives one event detection per call, boxed in the call's band and scored by its excess over the background", async () => {
    const output = await trigger().run(recording(CALLS));
    expect(() => ModelOutputSchema.parse(output)).not.toThrow();
    expect(output.name_model).toBe("energy_trigger");
    expect(output.detections.length).toBe(ONSETS.length);
    output.detections.forEach((d, i) => {
      const [start, low, , high] = d.location?.coordinates ?? [];
      expect(d.prediction_type).toBe("event");
      expect(d.tags.map((t) => [t.tag.key, t.tag.value])).toEqual([["sound", "bat"]]);
      expect(Math.abs((start as number) - (ONSETS[i] as number))).toBeLessThan(0.002);
      expect([(low as number) > 24_000, (low as number) < 32_000, (high as number) > 78_000, (high as number) < 86_000]).toEqual([true, true, true, true]);
      expect(d.detection_score).toBeGreaterThan(excessScore(12));
    });
    expect((await trigger().run(recording(EMPTY))).detections).toEqual([]);
  }, TIMEOUT);

  test("an event's score is the share of its power above the background", () => {
    expect(excessScore(0)).toBe(0);
    expect(excessScore(10)).toBeCloseTo(0.9, 12);
    expect(excessScore(20)).toBeCloseTo(0.99, 12);
  });

  test("a time-expanded file (header 25.6 kHz, factor 10) gives the calls in real seconds and hertz", async () => {
    const path = join(dir, "expanded.wav");
    await Bun.write(path, wav16(batAudio({ seconds: 1, onsets: ONSETS }), BAT.samplerate / 10));
    const output = await trigger().run({ ...recordingFor(path, BAT.samplerate, 1), time_expansion: 10 });
    expect(output.detections.length).toBe(ONSETS.length);
    output.detections.forEach((d, i) => {
      expect(Math.abs((d.location?.coordinates[0] as number) - (ONSETS[i] as number))).toBeLessThan(0.002);
      expect(d.location?.coordinates[3] as number).toBeGreaterThan(78_000);
    });
  }, TIMEOUT);

  test("as a processing filter it declines a recording with no call and passes one with calls", async () => {
    const filter = energyTriggerFilter(trigger());
    expect([await filter(recording(EMPTY)), await filter(recording(CALLS))]).toEqual([false, true]);
  }, TIMEOUT);

  test("in front of a model it skips the model on a recording with no call", async () => {
    // A model whose file does not exist fails on any run: the trigger must not let it run.
    const missing = new OnnxModel(ModelConfigSchema.parse({ ...batModelConfig(join(dir, "missing.onnx")) }));
    const model = new TriggeredModel(trigger(), missing);
    const output = await model.run(recording(EMPTY));
    expect([output.name_model, output.detections.length, model.skipped]).toEqual(["missing", 0, 1]);
    await expect(model.run(recording(CALLS))).rejects.toThrow("does not exist");
  }, TIMEOUT);

  test("in front of a model the model's calls get the band of the trigger's events", async () => {
    const classifier = new OnnxModel(ModelConfigSchema.parse(batModelConfig(MODEL)));
    closing.push(classifier);
    const alone = await classifier.run(recording(CALLS));
    expect(alone.detections.every((d) => d.location?.coordinates[1] === 0 && d.location?.coordinates[3] === BAT.samplerate / 2)).toBe(true);
    const banded = await new TriggeredModel(trigger(), classifier).run(recording(CALLS));
    expect(banded.name_model).toBe("batdetect-shaped");
    expect(banded.detections.length).toBe(ONSETS.length);
    banded.detections.forEach((d, i) => {
      const [start, low, end, high] = d.location?.coordinates ?? [];
      // Times are the model's; the band is the call's.
      expect([start, end]).toEqual([alone.detections[i]?.location?.coordinates[0], alone.detections[i]?.location?.coordinates[2]]);
      expect([(low as number) > 24_000, (high as number) < 86_000]).toEqual([true, true]);
      expect(d.tags[0]?.tag.value).toBe("bat");
    });
  }, TIMEOUT);
});
