/**
 * @module The Model conformance suite: every Model implementation runs it through
 * `modelContract(name, makeModel)`. It checks the promises of src/components/models/types.ts
 * with real inference: a stable name, a ModelOutput for the recording that was given, detections
 * located inside the recording with scores in [0, 1], the same output for the same file twice
 * (no state leaks between runs), an empty output for a recording with no file (path null: both
 * implementations return one rather than throw, since a discarded recording has nothing to
 * analyse), a ModelError-family error for a file that is gone, a passing check, and an
 * idempotent close after which the model loads again.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Model } from "../../src/components/models/types.ts";
import { ModelOutputSchema, type ModelOutput, type Recording } from "../../src/data/index.ts";
import { AcoupiError } from "../../src/errors.ts";

export interface ModelUnderTest {
  model: Model;
  /** A recording with a real file on which the model reports at least one detection. */
  recording: Recording;
  cleanup(): Promise<void>;
}

function assertOutputFor(output: ModelOutput, model: Model, recording: Recording): void {
  expect(() => ModelOutputSchema.parse(output)).not.toThrow();
  expect(output.name_model).toBe(model.name);
  expect(output.recording.id).toBe(recording.id);
  for (const detection of output.detections) {
    expect(detection.detection_score).toBeGreaterThanOrEqual(0);
    expect(detection.detection_score).toBeLessThanOrEqual(1);
    for (const tag of detection.tags) {
      expect(tag.confidence_score).toBeGreaterThanOrEqual(0);
      expect(tag.confidence_score).toBeLessThanOrEqual(1);
    }
    const box = detection.location;
    if (box === null) continue;
    const [start, low, end, high] = box.coordinates;
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    // A zero-padded last window may not reach past the audio itself.
    expect(end).toBeLessThanOrEqual(recording.duration + 1e-6);
    expect(low).toBeGreaterThanOrEqual(0);
    expect(high).toBeLessThanOrEqual(recording.samplerate / 2);
  }
}

const scoresOf = (output: ModelOutput) => output.detections.map((d) => [d.location?.coordinates, d.detection_score, d.tags.map((t) => t.tag.value)]);

export function modelContract(name: string, makeModel: () => Promise<ModelUnderTest>): void {
  describe(`${name} (Model contract)`, () => {
    let under: ModelUnderTest;
    beforeAll(async () => {
      under = await makeModel();
    });
    afterAll(async () => {
      await under.model.close();
      await under.cleanup();
    });

    test("check passes on a good model file", async () => {
      await under.model.check();
    });

    test("run returns a ModelOutput for the recording with detections inside it and scores in [0, 1]", async () => {
      const output = await under.model.run(under.recording);
      assertOutputFor(output, under.model, under.recording);
      expect(output.detections.length).toBeGreaterThan(0);
    });

    test("the name is stable across runs and the same file gives the same output twice", async () => {
      const before = under.model.name;
      const first = await under.model.run(under.recording);
      const second = await under.model.run({ ...under.recording, id: crypto.randomUUID() });
      expect(under.model.name).toBe(before);
      expect(second.name_model).toBe(first.name_model);
      expect(scoresOf(second)).toEqual(scoresOf(first));
      expect(second.id).not.toBe(first.id);
    });

    test("a recording with no file gives an empty output", async () => {
      const output = await under.model.run({ ...under.recording, path: null });
      assertOutputFor(output, under.model, under.recording);
      expect(output.detections).toEqual([]);
    });

    test("a recording whose file is gone fails with an acoupi error naming the file", async () => {
      const gone = `${under.recording.path ?? "/nonexistent"}.gone.wav`;
      const error = await under.model.run({ ...under.recording, path: gone }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AcoupiError);
      expect((error as Error).message).toContain(gone);
    });

    test("close is idempotent and the model loads again on the next run", async () => {
      await under.model.close();
      await under.model.close();
      const output = await under.model.run(under.recording);
      assertOutputFor(output, under.model, under.recording);
      expect(output.detections.length).toBeGreaterThan(0);
    });
  });
}
