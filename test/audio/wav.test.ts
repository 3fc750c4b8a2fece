import { describe, expect, test } from "bun:test";
import { WAV_HEADER_BYTES, parseWav, patchWavSamplerate, timeExpandedRate, wavHeader, wavSamples16 } from "../../src/audio/wav.ts";

function wavBytes(samples: Int16Array, samplerate: number, channels: number): Uint8Array {
  const header = wavHeader({ samplerate, channels, bitsPerSample: 16 }, samples.byteLength);
  const bytes = new Uint8Array(WAV_HEADER_BYTES + samples.byteLength);
  bytes.set(header, 0);
  bytes.set(new Uint8Array(samples.buffer), WAV_HEADER_BYTES);
  return bytes;
}

describe("wav", () => {
  test("a written header parses back to the same format and data size", () => {
    const samples = new Int16Array([1, -2, 3, -4, 5, -6]);
    const layout = parseWav(wavBytes(samples, 48000, 2));
    expect(layout.format).toEqual({ formatTag: 1, channels: 2, samplerate: 48000, byteRate: 192000, blockAlign: 4, bitsPerSample: 16 });
    expect(layout.dataOffset).toBe(44);
    expect(layout.dataBytes).toBe(12);
    expect(Array.from(wavSamples16(wavBytes(samples, 48000, 2)))).toEqual([1, -2, 3, -4, 5, -6]);
  });

  test("sox reads a written header as 16 kHz 16-bit PCM with the right sample count", async () => {
    const samples = new Int16Array([0, 1000, -1000, 32767, -32768]);
    const path = `${process.env.TMPDIR ?? "/tmp"}/acoupi-wav-test-${process.pid}.wav`;
    await Bun.write(path, wavBytes(samples, 16000, 1));
    const info = Bun.spawnSync(["soxi", path]);
    await Bun.file(path).delete();
    const text = info.stdout.toString();
    expect(text).toContain("Sample Rate    : 16000");
    expect(text).toContain("Precision      : 16-bit");
    expect(text).toContain("5 samples");
  });

  test("the time-expanded header rate is the samplerate divided by the factor, rounded down", () => {
    expect(timeExpandedRate(384000, 10)).toBe(38400);
    expect(timeExpandedRate(250000, 3)).toBe(83333);
    expect(timeExpandedRate(48000, 1)).toBe(48000);
    expect(() => timeExpandedRate(48000, 0)).toThrow("Time expansion must be positive");
  });

  test("patching the samplerate rewrites rate and byte rate but not the samples", () => {
    const samples = new Int16Array([7, 8, 9, 10]);
    const bytes = wavBytes(samples, 384000, 2);
    patchWavSamplerate(bytes, 38400);
    const layout = parseWav(bytes);
    expect(layout.format.samplerate).toBe(38400);
    expect(layout.format.byteRate).toBe(38400 * 4);
    expect(Array.from(wavSamples16(bytes))).toEqual([7, 8, 9, 10]);
  });

  test("chunks after the data, such as guan, are listed", () => {
    const samples = new Int16Array([1, 2, 3]);
    const extra = new Uint8Array([0x67, 0x75, 0x61, 0x6e, 3, 0, 0, 0, 0x61, 0x62, 0x63, 0]);
    const header = wavHeader({ samplerate: 8000, channels: 1, bitsPerSample: 16 }, 6, extra.byteLength);
    const bytes = new Uint8Array(44 + 6 + extra.byteLength);
    bytes.set(header);
    bytes.set(new Uint8Array(samples.buffer), 44);
    bytes.set(extra, 50);
    const layout = parseWav(bytes);
    expect(layout.chunks.map((c) => c.id)).toEqual(["fmt ", "data", "guan"]);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(bytes.byteLength - 8);
  });

  test("a file that is not RIFF/WAVE is refused with a clear message", () => {
    expect(() => parseWav(new TextEncoder().encode("not a wav file at all"))).toThrow("Cannot read WAV header: it is not RIFF/WAVE");
  });
});
