/**
 * @module The input level of 16-bit WAV bytes (pcm16Level) against a sine's known peak and RMS.
 */
import { expect, test } from "bun:test";
import { pcm16Level } from "../../src/audio/level.ts";
import { wavHeader } from "../../src/audio/wav.ts";

function wav(samples: Int16Array, bitsPerSample = 16): Uint8Array {
  const data = new Uint8Array(samples.buffer);
  return Buffer.concat([wavHeader({ samplerate: 8000, channels: 1, bitsPerSample }, data.byteLength), data]);
}

test("pcm16Level reads a sine's peak as its amplitude and its RMS as amplitude / √2", () => {
  const amplitude = 16384;
  const samples = new Int16Array(8000);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 1000 * i) / 8000 + 0.3));
  const level = pcm16Level(wav(samples));
  const peak = Math.max(...Array.from(samples, Math.abs));
  expect(level?.peakDbfs).toBeCloseTo(20 * Math.log10(peak / 32768), 6);
  expect(level?.rmsDbfs).toBeCloseTo(20 * Math.log10(amplitude / Math.SQRT2 / 32768), 1);
});

test("pcm16Level reads digital silence as -Infinity and refuses other sample widths", () => {
  expect(pcm16Level(wav(new Int16Array(100)))).toEqual({ peakDbfs: -Infinity, rmsDbfs: -Infinity });
  expect(pcm16Level(wav(new Int16Array(100), 8))).toBeNull();
});
