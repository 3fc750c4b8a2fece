/**
 * @module `acoupi spectrogram` through the real CLI: the PNG is decoded (fast-png) and a pure tone must
 * be a line at its frequency row at 8, 48 and 384 kHz; a time-expanded recording is drawn in real
 * time and frequency with its detection box where its coordinates say.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decode } from "fast-png";
import { buildGuano, guanoChunk } from "../../../src/audio/guano.ts";
import { wavHeader } from "../../../src/audio/wav.ts";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { BOX_COLOR, IMAGE_HEIGHT, IMAGE_WIDTH, PLOT_HEIGHT, PLOT_LEFT, PLOT_TOP, PLOT_WIDTH } from "../../../src/report/spectrogram/render.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { MEADOW } from "../../helpers/fixture-db.ts";

/** A 16-bit mono WAV of a sine at `hz` (file frequency), with an optional GUANO chunk. */
function toneWav(path: string, headerRate: number, frames: number, hz: number, guano?: string): void {
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = Math.round(16000 * Math.sin((2 * Math.PI * hz * i) / headerRate));
  const trailing = guano === undefined ? new Uint8Array(0) : guanoChunk(guano);
  const data = new Uint8Array(samples.buffer);
  writeFileSync(path, Buffer.concat([wavHeader({ samplerate: headerRate, channels: 1, bitsPerSample: 16 }, data.byteLength, trailing.byteLength), data, trailing]));
}

interface Png {
  width: number;
  height: number;
  rgb(x: number, y: number): [number, number, number];
}

function readPng(path: string): Png {
  const png = decode(readFileSync(path));
  const palette = png.palette;
  return {
    width: png.width,
    height: png.height,
    rgb(x, y) {
      const i = y * png.width + x;
      if (palette !== undefined) return palette[png.data[i] as number]?.slice(0, 3) as [number, number, number];
      const k = png.channels;
      return [png.data[i * k], png.data[i * k + 1], png.data[i * k + 2]] as [number, number, number];
    },
  };
}

/** The plot row that is brightest in column x (the row of a pure tone). */
function brightestRow(png: Png, x: number): number {
  let best = -1;
  let row = -1;
  for (let y = PLOT_TOP; y < PLOT_TOP + PLOT_HEIGHT; y++) {
    const [r, g, b] = png.rgb(x, y);
    if (r + g + b > best) {
      best = r + g + b;
      row = y;
    }
  }
  return row;
}

/** The row of frequency `hz` if the plot runs 0 Hz (bottom row) to Nyquist (above the top row) in PLOT_HEIGHT rows. */
function rowOf(hz: number, realRate: number): number {
  return PLOT_TOP + PLOT_HEIGHT - 1 - Math.round((hz / (realRate / 2)) * PLOT_HEIGHT);
}

describe("acoupi spectrogram", () => {
  let home: TempHome;
  beforeAll(() => {
    home = makeTempHome("acoupi-spectrogram-");
  });
  afterAll(() => home.cleanup());

  for (const [rate, hz] of [
    [8_000, 1_000],
    [48_000, 5_000],
    [384_000, 60_000],
  ] as const) {
    test(`a ${hz / 1000} kHz tone at ${rate / 1000} kHz draws a line at its frequency row`, () => {
      const wav = join(home.home, `tone-${rate}.wav`);
      const out = join(home.home, `tone-${rate}.png`);
      toneWav(wav, rate, rate, hz);
      const result = runAcoupi(["spectrogram", wav, "--out", out], home.env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(out);
      const png = readPng(out);
      expect([png.width, png.height]).toEqual([IMAGE_WIDTH, IMAGE_HEIGHT]);
      for (const fraction of [0.25, 0.5, 0.75]) {
        expect(Math.abs(brightestRow(png, PLOT_LEFT + Math.round(PLOT_WIDTH * fraction)) - rowOf(hz, rate))).toBeLessThanOrEqual(1);
      }
    });
  }

  test("a time-expanded recording is drawn in real time and frequency, with its detection box", () => {
    // Captured at 384 kHz with time expansion 10: the header says 38.4 kHz and the file lasts 10 times longer.
    const wav = join(home.home, "bat.wav");
    toneWav(wav, 38_400, 115_200, 6_000, buildGuano([["GUANO|Version", "1.0"], ["TE", "10"]]));
    const db = join(home.home, "metadata.db");
    const store = new SqliteStore({ db_metadata: db });
    const recording = { id: crypto.randomUUID(), created_on: new Date("2024-05-01T21:00:00Z"), duration: 0.3, samplerate: 384_000, deployment: MEADOW, path: wav, audio_channels: 1, time_expansion: 10, bit_depth: 16 };
    store.storeRecording(recording);
    store.storeModelOutputs([
      {
        id: crypto.randomUUID(),
        name_model: "BatDetect2",
        recording,
        created_on: new Date("2024-05-01T21:00:01Z"),
        detections: [{ id: crypto.randomUUID(), prediction_type: "event", location: { type: "BoundingBox", coordinates: [0.1, 50_000, 0.2, 70_000] }, detection_score: 0.8, tags: [{ tag: { key: "species", value: "Pipistrellus" }, confidence_score: 0.8 }] }],
      },
    ]);
    store.close();
    const out = join(home.home, "bat.png");
    const result = runAcoupi(["spectrogram", recording.id, "--out", out, "--db", db], home.env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const png = readPng(out);
    // The 6 kHz file tone is 60 kHz in real frequency: on the plot of 0–192 kHz.
    expect(Math.abs(brightestRow(png, PLOT_LEFT + 100) - rowOf(60_000, 384_000))).toBeLessThanOrEqual(1);
    // The box spans 0.1–0.2 s of the 0.3 s real duration, and 50–70 kHz of the 192 kHz Nyquist.
    const left = PLOT_LEFT + Math.round((0.1 / 0.3) * PLOT_WIDTH);
    const right = PLOT_LEFT + Math.round((0.2 / 0.3) * PLOT_WIDTH) - 1;
    const top = PLOT_TOP + PLOT_HEIGHT - Math.round((70_000 / 192_000) * PLOT_HEIGHT);
    const bottom = PLOT_TOP + PLOT_HEIGHT - Math.round((50_000 / 192_000) * PLOT_HEIGHT) - 1;
    for (const [x, y] of [[left, top + 20], [right, top + 20], [left + 50, top], [left + 50, bottom]] as const) expect(png.rgb(x, y)).toEqual([...BOX_COLOR]);
    expect(png.rgb(left + 50, top + 20)).not.toEqual([...BOX_COLOR]);
    // The file alone (GUANO TE 10) draws the same picture as the recording, apart from the box and title.
    const fileOut = join(home.home, "bat-file.png");
    expect(runAcoupi(["spectrogram", wav, "--out", fileOut, "--db", join(home.home, "none.db")], home.env).code).toBe(0);
    expect(brightestRow(readPng(fileOut), PLOT_LEFT + 100)).toBe(rowOf(60_000, 384_000));
  });

  test("an unknown recording id or a non-WAV file is an error that names it", () => {
    const id = "00000000-0000-4000-8000-0000000000ff";
    const missing = runAcoupi(["spectrogram", id, "--db", join(home.home, "metadata.db")], home.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`There is no recording ${id} in the metadata database`);
    const text = join(home.home, "notes.txt");
    writeFileSync(text, "not audio");
    const bad = runAcoupi(["spectrogram", text, "--out", join(home.home, "x.png"), "--db", join(home.home, "none.db")], home.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`Cannot read WAV file "${text}": it does not start with a RIFF/WAVE header`);
  });
});
