/** @module The `bat` program's configuration: its defaults and what it refuses, from its schema. */
import { describe, expect, test } from "bun:test";
import { BatConfigSchema } from "../../programs/bat.ts";

describe("the bat program's configuration", () => {
  test("it records at 256 kHz, 3 s every 10 s overnight, with the trigger on 20–120 kHz and no model", () => {
    const config = BatConfigSchema.parse({});
    expect(config.microphone.samplerate).toBe(256_000);
    expect(config.recording).toMatchObject({ duration: 3, interval: 10, schedule_start: "19:00:00", schedule_end: "07:00:00" });
    expect(config.trigger).toEqual({ fmin_hz: 20_000, fmax_hz: 120_000, threshold_db: 12, min_duration_s: 0.002 });
    expect(config.model).toBeNull();
    expect(config.detections.threshold).toBe(0.5);
  });

  test("384 and 500 kHz are accepted, and recording continuously is interval equal to duration", () => {
    for (const samplerate of [384_000, 500_000]) {
      expect(BatConfigSchema.parse({ microphone: { samplerate }, recording: { duration: 5, interval: 5 } }).microphone.samplerate).toBe(samplerate);
    }
  });

  test("turning off both the trigger and the model is refused by name", () => {
    const result = BatConfigSchema.safeParse({ trigger: null });
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["trigger", "the bat program needs the energy trigger, a model, or both: trigger and model are both null"],
    ]);
    const withModel = BatConfigSchema.safeParse({ trigger: null, model: { path: "/m/bat.onnx", labels: ["bat"], samplerate: 256_000, window: 0.4 } });
    expect(withModel.success).toBe(true);
  });
});
