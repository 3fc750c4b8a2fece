import { describe, expect, test } from "bun:test";
import { bandEvents, frameSize, type BandTrigger } from "../../src/audio/band-events.ts";
import { batAudio, fmSweep } from "../helpers/bat-model.ts";

const TRIGGER: BandTrigger = { fmin: 20_000, fmax: 120_000, thresholdDb: 12, minDuration: 0.002 };
const RATE = 256_000;

/** A tone burst of `seconds` at `hz`, added to `into` from `at` seconds. */
function addTone(into: Float32Array, hz: number, at: number, seconds: number, amplitude = 0.3, rate = RATE): Float32Array {
  const from = Math.round(at * rate);
  for (let i = 0; i < Math.round(seconds * rate); i++) into[from + i] = (into[from + i] as number) + amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return into;
}

describe("band energy events", () => {
  test("each planted FM sweep becomes one event at its onset with the sweep's band", () => {
    const onsets = [0.1, 0.45, 0.8];
    const events = bandEvents(batAudio({ seconds: 1, onsets }), RATE, TRIGGER);
    expect(events.length).toBe(3);
    events.forEach((e, i) => {
      expect(Math.abs(e.start - (onsets[i] as number))).toBeLessThan(0.002);
      expect(Math.abs(e.end - e.start - 0.003)).toBeLessThan(0.002);
      expect(e.low).toBeGreaterThan(24_000);
      expect(e.low).toBeLessThan(32_000);
      expect(e.high).toBeGreaterThan(78_000);
      expect(e.high).toBeLessThan(86_000);
      expect(e.excessDb).toBeGreaterThan(TRIGGER.thresholdDb);
    });
  });

  test("loud audible sound outside the band and hiss give no event", () => {
    const audio = addTone(batAudio({ seconds: 1, hum: 0.4 }), 8_000, 0.3, 0.01, 0.5);
    expect(bandEvents(audio, RATE, TRIGGER)).toEqual([]);
  });

  test("the background is the recording's own: a steady ultrasonic tone all through is not an event, a burst over it is", () => {
    const steady = addTone(batAudio({ seconds: 1 }), 40_000, 0, 1, 0.1);
    expect(bandEvents(steady, RATE, TRIGGER)).toEqual([]);
    const burst = addTone(steady, 60_000, 0.5, 0.01, 0.6);
    const events = bandEvents(burst, RATE, TRIGGER);
    expect(events.length).toBe(1);
    expect(events[0]?.low).toBeGreaterThan(55_000);
    expect(events[0]?.high).toBeLessThan(65_000);
  });

  test("events shorter than the minimum duration are dropped", () => {
    const audio = batAudio({ seconds: 1, onsets: [0.2, 0.6], sweep: { duration: 0.003 } });
    expect(bandEvents(audio, RATE, { ...TRIGGER, minDuration: 0.002 }).length).toBe(2);
    expect(bandEvents(audio, RATE, { ...TRIGGER, minDuration: 0.01 }).length).toBe(0);
  });

  test("the threshold is in dB above the background: a faint call passes a low threshold and not a high one", () => {
    const audio = batAudio({ seconds: 1, onsets: [0.5], sweep: { amplitude: 0.02 } });
    const low = bandEvents(audio, RATE, { ...TRIGGER, thresholdDb: 6 });
    const high = bandEvents(audio, RATE, { ...TRIGGER, thresholdDb: 40 });
    expect(low.length).toBe(1);
    expect(high.length).toBe(0);
  });

  test("a band above the call misses it, and the band is clipped to Nyquist", () => {
    const audio = batAudio({ seconds: 1, onsets: [0.5] });
    expect(bandEvents(audio, RATE, { ...TRIGGER, fmin: 90_000, fmax: 200_000 })).toEqual([]);
    const events = bandEvents(audio, RATE, { ...TRIGGER, fmax: 400_000 });
    expect(events.length).toBe(1);
    expect(events[0]?.high).toBeLessThanOrEqual(RATE / 2);
  });

  test("digital silence around a call does not make the hiss an event", () => {
    const audio = new Float32Array(RATE);
    audio.set(fmSweep(), Math.round(0.3 * RATE));
    const events = bandEvents(audio, RATE, TRIGGER);
    expect(events.length).toBe(1);
  });

  test("frames are about a millisecond long at every rate", () => {
    expect([frameSize(256_000), frameSize(384_000), frameSize(500_000), frameSize(48_000)]).toEqual([256, 512, 512, 64]);
  });
});
