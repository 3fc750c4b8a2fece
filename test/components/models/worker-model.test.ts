/**
 * @module WorkerModel, the `model` section's model run in its own Worker, with real ORT: it gives
 * the same output as the same OnnxModel on the main thread, the main thread's timers keep firing
 * while a heavy inference runs (the point of the Worker: capture and filing never wait for it),
 * model errors arrive as ModelErrors with their help line, and `close` ends a run in progress,
 * after which a new run starts a fresh worker.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ModelSectionSchema } from "../../../src/components/models/model-from-config.ts";
import { ModelConfigSchema, OnnxModel } from "../../../src/components/models/onnx-model.ts";
import { WorkerModel } from "../../../src/components/models/worker-model.ts";
import { ModelError } from "../../../src/errors.ts";
import { energyModel, matmulChainModel } from "../../helpers/onnx-builder.ts";
import { recordingFor, tempDir, tone, writeWav } from "../../helpers/model-fixtures.ts";

const RATE = 16000;
const SAMPLES = 48_000;
/** 12 chained 375×375 matrix products (about 0.7 G multiply-adds): slow enough that a blocked main thread would show. */
const heavyModel = () => matmulChainModel(SAMPLES, 128, 12);

let dir: string;
let energyPath: string;
let heavyPath: string;
let wav: string;

beforeAll(async () => {
  dir = tempDir("acoupi-worker-model-");
  energyPath = join(dir, "energy.onnx");
  writeFileSync(energyPath, energyModel(8000));
  heavyPath = join(dir, "heavy.onnx");
  writeFileSync(heavyPath, heavyModel());
  wav = await writeWav(join(dir, "tone.wav"), [tone(440, 3, RATE, 0.5)], RATE, "int16");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const section = (path: string, window: number) => ModelSectionSchema.parse({ path, labels: ["a", "b"], samplerate: RATE, window, threshold: 0 });

describe("WorkerModel", () => {
  test("gives the detections the same model gives on the main thread", async () => {
    const inWorker = new WorkerModel(section(energyPath, 0.5), 0);
    const onMain = new OnnxModel(ModelConfigSchema.parse({ path: energyPath, labels: ["a", "b"], samplerate: RATE, window: 0.5, threshold: 0 }));
    try {
      const recording = recordingFor(wav, RATE, 3);
      const [a, b] = [await inWorker.run(recording), await onMain.run(recording)];
      expect(a.name_model).toBe("energy");
      expect(a.detections.length).toBe(12);
      expect(a.detections.map((d) => [d.location?.coordinates, d.tags[0]?.tag.value, d.detection_score])).toEqual(
        b.detections.map((d) => [d.location?.coordinates, d.tags[0]?.tag.value, d.detection_score]),
      );
      expect(a.recording.id).toBe(recording.id);
    } finally {
      await inWorker.close();
      await onMain.close();
    }
  }, 60_000);

  test("the main thread's timers keep firing while a heavy inference runs", async () => {
    const model = new WorkerModel(section(heavyPath, 3), 0);
    try {
      const recording = recordingFor(wav, RATE, 3);
      await model.check(); // loads ORT and the session first: only the inference is timed below
      let last = performance.now();
      let longestGap = 0;
      let ticks = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        ticks++;
      }, 5);
      const started = performance.now();
      // Several runs, so the inference time dwarfs the timer period even on a fast, idle machine.
      for (let i = 0; i < 6; i++) await model.run(recording);
      const took = performance.now() - started;
      clearInterval(timer);
      // A main-thread inference would hold the timer for the whole run: its longest gap ≈ the run.
      expect(took).toBeGreaterThan(100);
      expect(ticks).toBeGreaterThan(3);
      expect(longestGap).toBeLessThan(took / 2);
    } finally {
      await model.close();
    }
  }, 120_000);

  test("a model error in the worker arrives as a ModelError naming the key, with its help", async () => {
    const model = new WorkerModel(section(join(dir, "missing.onnx"), 0.5), 0);
    try {
      const error = await model.check().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).message).toContain("missing.onnx");
      expect((error as ModelError).help).toContain("model.path");
    } finally {
      await model.close();
    }
  }, 60_000);

  test("close ends a run in progress with a ModelError, and the next run starts a fresh worker", async () => {
    const model = new WorkerModel(section(heavyPath, 3), 0);
    const recording = recordingFor(wav, RATE, 3);
    const running = model.run(recording).then(() => null, (e: unknown) => e);
    await Bun.sleep(50);
    await model.close();
    const error = await running;
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toContain("closed");
    const output = await model.run(recording);
    expect(output.detections.length).toBeGreaterThanOrEqual(0);
    expect(output.name_model).toBe("heavy");
    await model.close();
  }, 120_000);
});
