/**
 * Long files: a WavWriter whose RIFF limit is injected (a few kilobytes instead of 4 GiB) writes
 * RF64 past it, keeps plain RIFF (with a JUNK chunk) under it, and a crashed RF64-ready `.part`
 * is finalised the same way; every reader of ours reads all three back sample for sample.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { closeSync, copyFileSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildGuano, guanoChunk, readGuano } from "../../src/audio/guano.ts";
import { decodeWavSamples } from "../../src/audio/read-wav-samples.ts";
import { finalisePart } from "../../src/audio/recording-file.ts";
import { WIDE_HEADER_BYTES } from "../../src/audio/rf64.ts";
import { parseWav, wavSamples16 } from "../../src/audio/wav.ts";
import { WavWriter } from "../../src/audio/wav-writer.ts";

const LIMIT = 4096;
let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "acoupi-rf64-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function counter(frames: number, channels: number): Int16Array {
  return Int16Array.from({ length: frames * channels }, (_, i) => ((i * 7) % 65536) - 32768);
}

async function bytesOf(path: string): Promise<Uint8Array> {
  return new Uint8Array(await Bun.file(path).arrayBuffer());
}

function id(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

describe("RF64 past the RIFF limit", () => {
  test("a file that passes the limit is RF64 with its 64-bit sizes in ds64, and reads back whole", async () => {
    const samples = counter(3000, 2); // 12000 bytes of data, past the 4096-byte limit
    const writer = await WavWriter.create(dir, "long", { samplerate: 8000, channels: 2 }, { expectedBytes: samples.byteLength, riffLimit: LIMIT });
    await writer.write(samples);
    const path = await writer.finish([guanoChunk(buildGuano([["Make", "acoupi"]]))]);
    const bytes = await bytesOf(path);
    const view = new DataView(bytes.buffer);
    expect(id(bytes, 0)).toBe("RF64");
    expect(view.getUint32(4, true)).toBe(0xffffffff);
    expect(id(bytes, 12)).toBe("ds64");
    expect(Number(view.getBigUint64(20, true))).toBe(bytes.byteLength - 8);
    expect(Number(view.getBigUint64(28, true))).toBe(samples.byteLength);
    expect(Number(view.getBigUint64(36, true))).toBe(3000);
    expect(view.getUint32(76, true)).toBe(0xffffffff);
    const layout = parseWav(bytes);
    expect(layout.dataOffset).toBe(WIDE_HEADER_BYTES);
    expect(layout.dataBytes).toBe(samples.byteLength);
    expect(wavSamples16(bytes)).toEqual(samples);
    expect(readGuano(bytes)?.get("Make")).toBe("acoupi");
    const decoded = decodeWavSamples(bytes);
    expect(decoded.frames).toBe(3000);
    expect(decoded.channels[1]?.[2999]).toBeCloseTo((samples[5999] ?? 0) / 32768, 6);
  });

  test("an RF64-ready file that stays under the limit is plain RIFF whose JUNK chunk readers skip", async () => {
    const samples = counter(500, 1); // 1000 bytes
    const writer = await WavWriter.create(dir, "short", { samplerate: 8000, channels: 1 }, { expectedBytes: 6000, riffLimit: LIMIT });
    await writer.write(samples);
    const bytes = await bytesOf(await writer.finish());
    expect(id(bytes, 0)).toBe("RIFF");
    expect(id(bytes, 12)).toBe("JUNK");
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(bytes.byteLength - 8);
    expect(parseWav(bytes).chunks.map((c) => c.id)).toEqual(["JUNK", "fmt ", "data"]);
    expect(wavSamples16(bytes)).toEqual(samples);
  });

  test("a recording not expected to pass the limit keeps the 44-byte header, and refuses to pass it", async () => {
    const writer = await WavWriter.create(dir, "plain", { samplerate: 8000, channels: 1 }, { expectedBytes: 100, riffLimit: 70_000, flushFrames: 1000 });
    await writer.write(counter(1000, 1));
    expect(parseWav(await bytesOf(writer.partPath)).dataOffset).toBe(44);
    await expect(writer.write(counter(4000, 1))).rejects.toThrow(/past 70000 bytes: it was not created RF64-ready/);
    await writer.abort();
  });

  test("a crashed RF64-ready .part past the limit is finalised as RF64 with every whole frame", async () => {
    const samples = counter(2500, 1);
    const writer = await WavWriter.create(dir, "crashed", { samplerate: 8000, channels: 1 }, { expectedBytes: samples.byteLength, riffLimit: LIMIT, flushFrames: 500 });
    await writer.write(samples);
    // The process dies here: what is on disk is the flushed frames behind the placeholder header
    // (copied aside, as the writer is then closed), plus a torn half frame.
    const part = join(dir, "dead.wav.part");
    copyFileSync(writer.partPath, part);
    await writer.abort();
    const fd = openSync(part, "a");
    writeSync(fd, new Uint8Array([1]));
    closeSync(fd);
    const path = finalisePart(part, LIMIT);
    if (path === null) throw new Error("nothing was finalised");
    const bytes = await bytesOf(path);
    expect(id(bytes, 0)).toBe("RF64");
    expect(parseWav(bytes).dataBytes).toBe(samples.byteLength);
    expect(wavSamples16(bytes)).toEqual(samples);
  });
});
