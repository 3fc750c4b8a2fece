import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { all, any, not } from "../../../src/components/processing-filters/combinators.ts";
import { rmsAbove, rmsDbfs } from "../../../src/components/processing-filters/rms-above.ts";
import type { ProcessingFilter } from "../../../src/components/processing-filters/types.ts";
import { recordingFor, tempDir, tone, writeWav } from "../../helpers/model-fixtures.ts";

const dir = tempDir("acoupi-filters-");

describe("rmsAbove", () => {
  test("rmsAbove passes a loud recording and skips a quiet one, reading the WAV", async () => {
    // A 0.5-amplitude sine is about -9 dBFS; a 0.001-amplitude one about -63 dBFS.
    const loud = await writeWav(join(dir, "loud.wav"), [tone(1000, 1, 16000, 0.5)], 16000, "int16");
    const quiet = await writeWav(join(dir, "quiet.wav"), [tone(1000, 1, 16000, 0.001)], 16000, "int16");
    const filter = rmsAbove(-60);
    expect(await filter(recordingFor(loud, 16000, 1))).toBe(true);
    expect(await filter(recordingFor(quiet, 16000, 1))).toBe(false);
    expect(await filter(recordingFor(null, 16000, 1))).toBe(false);
  });

  test("rmsDbfs puts a full-scale sine at -3 dBFS and silence at -Infinity", () => {
    expect(rmsDbfs(tone(1000, 1, 48000, 1))).toBeCloseTo(-3.0103, 3);
    expect(rmsDbfs(new Float32Array(100))).toBe(-Infinity);
  });
});

describe("processing filter combinators", () => {
  const yes: ProcessingFilter = () => true;
  const no: ProcessingFilter = async () => false;
  const recording = recordingFor(null, 16000, 1);

  test("all, any and not combine processing filters", async () => {
    expect(await all(yes, yes)(recording)).toBe(true);
    expect(await all(yes, no)(recording)).toBe(false);
    expect(await all()(recording)).toBe(true);
    expect(await any(no, yes)(recording)).toBe(true);
    expect(await any(no, no)(recording)).toBe(false);
    expect(await not(no)(recording)).toBe(true);
  });

  test("all stops at the first filter that says no", async () => {
    let calls = 0;
    const counted: ProcessingFilter = () => {
      calls++;
      return true;
    };
    await all(no, counted)(recording);
    expect(calls).toBe(0);
  });
});
