import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guanoChunk, readGuano } from "../../src/audio/guano.ts";
import { parseWav, wavSamples16 } from "../../src/audio/wav.ts";
import { WavWriter } from "../../src/audio/wav-writer.ts";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "acoupi-wav-writer-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("WavWriter", () => {
  test("WavWriter writes a .part file and renames it to .wav when finished", async () => {
    const writer = await WavWriter.create(dir, "rec", { samplerate: 8000, channels: 1 });
    await writer.write(new Int16Array([1, 2, 3]));
    expect(await readdir(dir)).toEqual(["rec.wav.part"]);
    const path = await writer.finish([guanoChunk("GUANO|Version: 1.0\n")]);
    expect(path).toBe(join(dir, "rec.wav"));
    expect(await readdir(dir)).toEqual(["rec.wav"]);
    const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
    expect(Array.from(wavSamples16(bytes))).toEqual([1, 2, 3]);
    expect(parseWav(bytes).chunks.map((c) => c.id)).toEqual(["fmt ", "data", "guan"]);
    expect(readGuano(bytes)?.get("GUANO|Version")).toBe("1.0");
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(bytes.byteLength - 8);
  });

  test("WavWriter keeps every sample across its internal buffer boundary", async () => {
    const writer = await WavWriter.create(dir, "big", { samplerate: 48000, channels: 2 });
    const samples = new Int16Array(300_001);
    for (let i = 0; i < samples.length; i++) samples[i] = (i * 13) % 65536;
    await writer.write(samples.subarray(0, 100_000));
    await writer.write(samples.subarray(100_000));
    const path = await writer.finish();
    const back = wavSamples16(new Uint8Array(await Bun.file(path).arrayBuffer()));
    expect(back.length).toBe(samples.length);
    expect(back.every((v, i) => v === samples[i])).toBe(true);
  });

  test("WavWriter with a flush period has every whole period on disk as soon as it is written", async () => {
    const writer = await WavWriter.create(dir, "flushed", { samplerate: 8000, channels: 2 }, { flushFrames: 800 });
    const samples = new Int16Array(2 * 2500).map((_, i) => i % 30000);
    await writer.write(samples.subarray(0, 2 * 1000));
    const onDisk = async () => (await Bun.file(writer.partPath).arrayBuffer()).byteLength - 44;
    expect(await onDisk()).toBe(800 * 4);
    await writer.write(samples.subarray(2 * 1000));
    expect(await onDisk()).toBe(2400 * 4);
    const back = wavSamples16(new Uint8Array(await Bun.file(await writer.finish()).arrayBuffer()));
    expect(back).toEqual(samples);
  });

  test("WavWriter.abort removes the .part file and leaves no .wav", async () => {
    const writer = await WavWriter.create(dir, "gone", { samplerate: 8000, channels: 1 });
    await writer.write(new Int16Array([1]));
    await writer.abort();
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  test("WavWriter refuses to overwrite an existing .part file", async () => {
    const first = await WavWriter.create(dir, "twice", { samplerate: 8000, channels: 1 });
    await expect(WavWriter.create(dir, "twice", { samplerate: 8000, channels: 1 })).rejects.toThrow("EEXIST");
    await first.abort();
  });
});
