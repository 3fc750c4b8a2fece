/**
 * @module Fixtures for the model tests: WAV files written from sample arrays (float32 so that
 * expected scores are exact, or 16-bit PCM), temp directories and Recording records.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDeployment, type Recording } from "../../src/data/index.ts";

export function tempDir(prefix = "acoupi-model-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** WAV bytes for the given channels (equal lengths): IEEE float32, or 16-bit PCM. */
export function wavBytes(channels: Float32Array[], samplerate: number, format: "float32" | "int16" = "float32"): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const width = format === "float32" ? 4 : 2;
  const dataSize = frames * channels.length * width;
  const buffer = new ArrayBuffer(44 + dataSize);
  const view = new DataView(buffer);
  const text = (offset: number, s: string) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + dataSize, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, format === "float32" ? 3 : 1, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, samplerate, true);
  view.setUint32(28, samplerate * channels.length * width, true);
  view.setUint16(32, channels.length * width, true);
  view.setUint16(34, width * 8, true);
  text(36, "data");
  view.setUint32(40, dataSize, true);
  let offset = 44;
  for (let f = 0; f < frames; f++) {
    for (const channel of channels) {
      const v = channel[f] ?? 0;
      if (format === "float32") view.setFloat32(offset, v, true);
      else view.setInt16(offset, Math.max(-32768, Math.min(32767, Math.round(v * 32768))), true);
      offset += width;
    }
  }
  return new Uint8Array(buffer);
}

export async function writeWav(path: string, channels: Float32Array[], samplerate: number, format: "float32" | "int16" = "float32"): Promise<string> {
  await Bun.write(path, wavBytes(channels, samplerate, format));
  return path;
}

export function tone(frequency: number, seconds: number, samplerate: number, amplitude = 0.5): Float32Array {
  const n = Math.round(seconds * samplerate);
  return Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / samplerate));
}

export function recordingFor(path: string | null, samplerate: number, duration: number): Recording {
  return {
    id: crypto.randomUUID(),
    created_on: new Date("2026-05-01T06:00:00Z"),
    duration,
    samplerate,
    deployment: createDeployment({ name: "test deployment", now: new Date("2026-05-01T00:00:00Z") }),
    path,
    audio_channels: 1,
    time_expansion: 1,
    bit_depth: 16,
  };
}
