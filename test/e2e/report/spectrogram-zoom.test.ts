/**
 * @module Spectrograms for short calls through the real CLI: `acoupi spectrogram
 * --start/--end/--fmin/--fmax` zooms on a short ultrasonic call in real units (also for a
 * time-expanded file); a zoom outside the recording is an error that says so. The box and label
 * layout tests, in-process, are in test/report/spectrogram-zoom.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decode } from "fast-png";
import { buildGuano, guanoChunk } from "../../../src/audio/guano.ts";
import { wavHeader } from "../../../src/audio/wav.ts";
import { PLOT_HEIGHT, PLOT_LEFT, PLOT_TOP, PLOT_WIDTH } from "../../../src/report/spectrogram/render.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

/** 16-bit mono samples: silence with a `hz` tone (file frequency) from `from` to `to` seconds of the file. */
function burst(headerRate: number, seconds: number, hz: number, from: number, to: number): Int16Array {
  const out = new Int16Array(Math.round(headerRate * seconds));
  for (let i = Math.round(from * headerRate); i < Math.round(to * headerRate); i++) out[i] = Math.round(16000 * Math.sin((2 * Math.PI * hz * i) / headerRate));
  return out;
}

function writeWav(path: string, headerRate: number, samples: Int16Array, guano?: string): void {
  const trailing = guano === undefined ? new Uint8Array(0) : guanoChunk(guano);
  const data = new Uint8Array(samples.buffer);
  writeFileSync(path, Buffer.concat([wavHeader({ samplerate: headerRate, channels: 1, bitsPerSample: 16 }, data.byteLength, trailing.byteLength), data, trailing]));
}

function brightness(png: ReturnType<typeof decode>, x: number, y: number): number {
  const rgb = png.palette?.[png.data[y * png.width + x] as number] ?? [0, 0, 0];
  return (rgb[0] ?? 0) + (rgb[1] ?? 0) + (rgb[2] ?? 0);
}

function brightestRow(png: ReturnType<typeof decode>, x: number): number {
  let best = -1;
  let row = -1;
  for (let y = PLOT_TOP; y < PLOT_TOP + PLOT_HEIGHT; y++) {
    if (brightness(png, x, y) > best) [best, row] = [brightness(png, x, y), y];
  }
  return row;
}

describe("spectrograms for short calls", () => {
  let home: TempHome;
  beforeAll(() => {
    home = makeTempHome("acoupi-zoom-");
  }, 30_000);
  afterAll(() => home.cleanup());

  test("--start/--end/--fmin/--fmax zoom on a 10 ms call at 60 kHz in a 384 kHz recording", () => {
    const wav = join(home.home, "call.wav");
    writeWav(wav, 384_000, burst(384_000, 1, 60_000, 0.5, 0.51));
    const out = join(home.home, "call.png");
    const result = runAcoupi(["spectrogram", wav, "--out", out, "--start", "0.49", "--end", "0.52", "--fmin", "40000", "--fmax", "80000", "--db", join(home.home, "none.db")], home.env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const png = decode(readFileSync(out));
    // 60 kHz is the middle of 40–80 kHz; the call fills the middle third of 0.49–0.52 s.
    const middle = PLOT_TOP + PLOT_HEIGHT - 1 - PLOT_HEIGHT / 2;
    expect(Math.abs(brightestRow(png, PLOT_LEFT + PLOT_WIDTH / 2) - middle)).toBeLessThanOrEqual(2);
    const inside = brightness(png, PLOT_LEFT + PLOT_WIDTH / 2, middle);
    const before = brightness(png, PLOT_LEFT + 40, middle);
    const after = brightness(png, PLOT_LEFT + PLOT_WIDTH - 40, middle);
    expect(inside).toBeGreaterThan(before + 100);
    expect(inside).toBeGreaterThan(after + 100);
  }, 30_000);

  test("a time-expanded file zooms in real seconds and hertz", () => {
    // Captured at 384 kHz with time expansion 10: the call is at 60 kHz, 0.5–0.51 s in the field.
    const wav = join(home.home, "te.wav");
    writeWav(wav, 38_400, burst(38_400, 10, 6_000, 5, 5.1), buildGuano([["TE", "10"], ["Samplerate", "384000"]]));
    const out = join(home.home, "te.png");
    const result = runAcoupi(["spectrogram", wav, "--out", out, "--start", "0.49", "--end", "0.52", "--fmin", "40000", "--fmax", "80000", "--db", join(home.home, "none.db")], home.env);
    expect(result.code).toBe(0);
    const png = decode(readFileSync(out));
    const middle = PLOT_TOP + PLOT_HEIGHT - 1 - PLOT_HEIGHT / 2;
    expect(Math.abs(brightestRow(png, PLOT_LEFT + PLOT_WIDTH / 2) - middle)).toBeLessThanOrEqual(2);
    expect(brightness(png, PLOT_LEFT + PLOT_WIDTH / 2, middle)).toBeGreaterThan(brightness(png, PLOT_LEFT + 40, middle) + 100);
  }, 30_000);

  test("a zoom outside the recording, or a flag that is not a number, is an error naming it", () => {
    const wav = join(home.home, "short.wav");
    writeWav(wav, 48_000, burst(48_000, 0.3, 1000, 0, 0.3));
    const late = runAcoupi(["spectrogram", wav, "--out", join(home.home, "x.png"), "--start", "5", "--db", join(home.home, "none.db")], home.env);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`Cannot zoom on "${wav}": the time range 5–0.3 s holds none of the recording's 0.3 s`);
    const bad = runAcoupi(["spectrogram", wav, "--out", join(home.home, "x.png"), "--fmax", "high", "--db", join(home.home, "none.db")], home.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid --fmax "high": expected a number ≥ 0 (Hz)');
  }, 30_000);
});
