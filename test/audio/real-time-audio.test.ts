/**
 * @module Tests of reading a recording in real time: the factor comes from the database row when
 * given, else GUANO's `TE`, else 1; the capture rate from GUANO's `Samplerate` when it agrees with
 * the (rounded-down) header; a tone's real frequency survives resampling to a model's rate.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildGuano, guanoChunk } from "../../src/audio/guano.ts";
import { readRealTime, realSamplerate } from "../../src/audio/real-time-audio.ts";
import { wavHeader } from "../../src/audio/wav.ts";

const dir = mkdtempSync(join(tmpdir(), "acoupi-real-time-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A WAV whose header says `headerRate`, holding `frames` samples of a sine at `realHz` captured at `realRate`. */
function wav(name: string, headerRate: number, realRate: number, frames: number, realHz: number, guano: Array<[string, string]> | null): string {
  const samples = Int16Array.from({ length: frames }, (_, i) => Math.round(16000 * Math.sin((2 * Math.PI * realHz * i) / realRate)));
  const trailing = guano === null ? new Uint8Array(0) : guanoChunk(buildGuano(guano));
  const data = new Uint8Array(samples.buffer);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([wavHeader({ samplerate: headerRate, channels: 1, bitsPerSample: 16 }, data.byteLength, trailing.byteLength), data, trailing]));
  return path;
}

/** Zero crossings per second: twice a pure tone's frequency. */
function frequencyOf(samples: Float32Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (((samples[i - 1] as number) < 0) !== ((samples[i] as number) < 0)) crossings++;
  return crossings / 2 / (samples.length / rate);
}

describe("readRealTime", () => {
  test("a file with GUANO TE 10 reads at its capture rate: 384 kHz, not the header's 38.4 kHz", async () => {
    const path = wav("te.wav", 38_400, 384_000, 38_400, 50_000, [["TE", "10"], ["Samplerate", "384000"]]);
    const audio = await readRealTime(path);
    expect(audio).toMatchObject({ samplerate: 384_000, timeExpansion: 10, headerSamplerate: 38_400 });
    expect(audio.samples.length).toBe(38_400);
    expect(frequencyOf(audio.samples, audio.samplerate)).toBeCloseTo(50_000, -2);
  });

  test("the factor from the database wins over GUANO, and resampling keeps real frequencies", async () => {
    const path = wav("db.wav", 25_600, 256_000, 25_600, 20_000, null);
    const audio = await readRealTime(path, { timeExpansion: 10, rate: 48_000 });
    expect(audio).toMatchObject({ samplerate: 48_000, timeExpansion: 10 });
    // 0.1 s of real time at 48 kHz.
    expect(audio.samples.length).toBe(4_800);
    expect(frequencyOf(audio.samples, 48_000)).toBeCloseTo(20_000, -2);
  });

  test("a rate the header rounded down comes back whole from GUANO's Samplerate", () => {
    // 250 kHz with time expansion 3: the header says floor(250000 / 3) = 83333.
    expect(realSamplerate(83_333, 3, 250_000)).toBe(250_000);
    expect(realSamplerate(83_333, 3)).toBe(249_999);
    // A Samplerate that disagrees with the header is not trusted.
    expect(realSamplerate(38_400, 10, 500_000)).toBe(384_000);
    expect(realSamplerate(48_000, 1, 96_000)).toBe(48_000);
  });

  test("a file without GUANO and without a factor reads as it is", async () => {
    const path = wav("plain.wav", 48_000, 48_000, 4_800, 1_000, null);
    const audio = await readRealTime(path);
    expect(audio).toMatchObject({ samplerate: 48_000, timeExpansion: 1, headerSamplerate: 48_000 });
  });
});
