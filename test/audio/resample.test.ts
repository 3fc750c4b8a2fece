/**
 * @module Tests of the resampler over the whole 8–500 kHz range: a tone above the new Nyquist
 * frequency is removed (not folded back), an in-band tone keeps its level and frequency, lengths
 * are exact, and rates outside the range are refused by name.
 */
import { describe, expect, test } from "bun:test";
import { decimationStage, MAX_RATE, MIN_RATE, resample, resampleProblem, resampleSync } from "../../src/audio/resample.ts";
import { applySinc, planSinc, resampledLength } from "../../src/audio/sinc-resampler.ts";
import { AcoupiError } from "../../src/errors.ts";

function tone(rate: number, hz: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** Amplitude of a sinusoid at `hz` in `x` (a Hann-windowed single-bin DFT over the middle, away from the edges). */
function amplitudeAt(x: Float32Array, rate: number, hz: number): number {
  const skip = Math.floor(x.length / 8);
  const n = x.length - 2 * skip;
  let re = 0;
  let im = 0;
  let gain = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    const v = (x[skip + i] as number) * w;
    re += v * Math.cos((2 * Math.PI * hz * (skip + i)) / rate);
    im += v * Math.sin((2 * Math.PI * hz * (skip + i)) / rate);
    gain += w;
  }
  return (2 * Math.hypot(re, im)) / gain;
}

function rms(x: Float32Array): number {
  const skip = Math.floor(x.length / 8);
  let sum = 0;
  for (let i = skip; i < x.length - skip; i++) sum += (x[i] as number) ** 2;
  return Math.sqrt(sum / (x.length - 2 * skip));
}

const db = (a: number): number => 20 * Math.log10(a);

// Rate pairs across the range, down and up, with awkward ratios (44.1 ↔ 48, 499 999 → 256 000).
const PAIRS: Array<[number, number]> = [
  [384_000, 256_000],
  [500_000, 256_000],
  [256_000, 16_000],
  [384_000, 16_000],
  [500_000, 16_000],
  [500_000, 8_000],
  [96_000, 8_000],
  [499_999, 256_000],
  [96_000, 48_000],
  [44_100, 48_000],
  [8_000, 500_000],
  [48_000, 384_000],
  [256_000, 500_000],
];

describe("resample", () => {
  for (const [from, to] of PAIRS) {
    const nyquist = Math.min(from, to) / 2;
    test(`resampling ${from} Hz → ${to} Hz keeps an in-band tone and neither aliases nor images`, () => {
      const seconds = 0.25;
      const inBand = 0.3 * nyquist;
      const kept = resampleSync(tone(from, inBand, seconds), from, to);
      expect(kept.length).toBe(Math.ceil((Math.round(from * seconds) * to) / from));
      expect(Math.abs(db(amplitudeAt(kept, to, inBand)))).toBeLessThan(0.01);
      if (to < from) {
        // 1.3 × the new Nyquist frequency would alias to 0.7 × it; it must be gone (< −80 dB).
        const above = 1.3 * (to / 2);
        const removed = resampleSync(tone(from, above, seconds), from, to);
        expect(db(rms(removed) * Math.SQRT2)).toBeLessThan(-80);
        expect(db(amplitudeAt(removed, to, to - above))).toBeLessThan(-80);
      } else if (from - inBand < to / 2) {
        // Upsampling makes no images: nothing at from − f (the first image of the in-band tone).
        expect(db(amplitudeAt(kept, to, from - inBand))).toBeLessThan(-80);
      }
    });
  }

  test("output lengths are exact: ceil(n × to / from) for every n", () => {
    for (const [from, to] of PAIRS) {
      for (const n of [0, 1, 2, 3, 7, 1000, 12_345]) {
        const out = resampleSync(new Float32Array(n).fill(0.5), from, to);
        expect(out.length).toBe(resampledLength(n, from, to));
        expect(out.length).toBe(n === 0 ? 0 : Math.ceil((n * to) / from - 1e-9));
      }
    }
  });

  test("a second of audio at 384 kHz becomes exactly a second at 256 kHz, and back", () => {
    const down = resampleSync(tone(384_000, 1000, 1), 384_000, 256_000);
    expect(down.length).toBe(256_000);
    expect(resampleSync(down, 256_000, 384_000).length).toBe(384_000);
  });

  test("a constant signal stays constant away from the edges (unit gain at 0 Hz)", () => {
    const out = resampleSync(new Float32Array(50_000).fill(0.25), 500_000, 256_000);
    expect(Math.abs((out[out.length >> 1] as number) - 0.25)).toBeLessThan(1e-5);
  });

  test("deep decimation goes through a quarter-rate stage and still lands on the same instants as one stage", () => {
    expect(decimationStage(500_000, 16_000)).toBe(64_000);
    expect(decimationStage(256_000, 16_000)).toBe(64_000);
    expect(decimationStage(384_000, 256_000)).toBeNull();
    expect(decimationStage(48_000, 16_000)).toBeNull();
    // A 3 kHz tone at 500 kHz: two stages and one stage (at the same quality) agree sample by sample.
    const input = tone(500_000, 3000, 0.2);
    const two = resampleSync(input, 500_000, 16_000);
    const one = applySinc(planSinc(500_000, 16_000), input);
    expect(two.length).toBe(one.length);
    let worst = 0;
    for (let i = 50; i < one.length - 50; i++) worst = Math.max(worst, Math.abs((two[i] as number) - (one[i] as number)));
    expect(worst).toBeLessThan(1e-3);
  });

  test("equal rates return the input itself", async () => {
    const input = tone(48_000, 440, 0.1);
    expect(await resample(input, 48_000, 48_000)).toBe(input);
  });

  test("rates outside 8–500 kHz are refused with both rates named", () => {
    expect(resampleProblem(MIN_RATE, MAX_RATE)).toBeNull();
    expect(resampleProblem(768_000, 256_000)).toContain("768000 Hz is outside 8000–500000 Hz");
    expect(resampleProblem(48_000, 4_000)).toContain("4000 Hz");
    expect(() => resampleSync(new Float32Array(10), 768_000, 256_000)).toThrow(AcoupiError);
    expect(() => resampleSync(new Float32Array(10), 768_000, 256_000)).toThrow("Cannot resample from 768000 Hz to 256000 Hz");
  });
});
