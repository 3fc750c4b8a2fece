/**
 * @module Malformed WAV and RF64 files given to the compiled binary's `acoupi spectrogram`: each
 * is a clear error that names the file and what is wrong, exit 1, no internal error and no
 * image written. The first is the one found: a `fmt` chunk cut off by the end of the file.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wavHeader } from "../../../src/audio/wav.ts";
import { wideWavHeader } from "../../../src/audio/rf64.ts";
import { buildBinary, runBinary, runner } from "../../helpers/binaries.ts";
import { makeTempHome, type TempHome } from "../../helpers/cli.ts";

let home: TempHome;
let binary: ReturnType<typeof runner>;
beforeAll(() => {
  home = makeTempHome("acoupi-bad-wav-");
  binary = runner(buildBinary("x64"));
}, 120_000);
afterAll(() => home.cleanup());

const FORMAT = { samplerate: 8000, channels: 1, bitsPerSample: 16 };
const SAMPLES = new Uint8Array(1600);

function bytes(...parts: Array<Uint8Array | string | number[]>): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** A valid header with one byte of it changed: `at` → `value` (16-bit little-endian). */
function patched(at: number, value: number): Uint8Array {
  const header = wavHeader(FORMAT, SAMPLES.byteLength);
  new DataView(header.buffer).setUint16(at, value, true);
  return bytes(header, SAMPLES);
}

const CASES: Array<[string, Uint8Array, string]> = [
  ["a truncated fmt chunk", bytes("RIFF", u32(28), "WAVE", "fmt ", u32(16), [1, 0, 1, 0, 0x40, 0x1f]), "its fmt chunk is cut off: it declares 16 bytes, but the file ends 6 bytes into it"],
  ["a fmt chunk of 8 bytes", bytes("RIFF", u32(4 + 16 + 8 + 1600), "WAVE", "fmt ", u32(8), [1, 0, 1, 0, 0x40, 0x1f, 0, 0], "data", u32(1600), SAMPLES), "its fmt chunk is 8 bytes long, shorter than the 16 bytes of a WAV format"],
  ["an empty file", new Uint8Array(0), "it does not start with a RIFF/WAVE header"],
  ["a RIFF header alone", bytes("RIFF", u32(4)), "it does not start with a RIFF/WAVE header"],
  ["RF64 without ds64", bytes("RF64", u32(0xffffffff), "WAVE", wavHeader(FORMAT, 1600).subarray(12), SAMPLES), "it is RF64 without a ds64 chunk after its header"],
  ["data before fmt", bytes("RIFF", u32(4 + 8 + 1600 + 24), "WAVE", "data", u32(1600), SAMPLES, wavHeader(FORMAT, 0).subarray(12, 36)), "its data chunk comes before its fmt chunk"],
  ["0 channels", patched(22, 0), "the fmt chunk declares 0 channels"],
  ["a block align of 0", patched(32, 0), "the fmt chunk's block align is 0 bytes, but 1 channels of 16-bit samples take 2"],
  ["ADPCM", patched(20, 2), "format tag 2 with 16 bits per sample is not supported"],
  ["a chunk larger than the file before fmt", bytes("RIFF", u32(4), "WAVE", "LIST", u32(0xfffffff0), [0, 0, 0, 0]), `its "LIST" chunk declares 4294967280 bytes, but only 4 are left in the file (before any fmt chunk)`],
  ["no data chunk", bytes("RIFF", u32(28), "WAVE", wavHeader(FORMAT, 0).subarray(12, 36)), "it has no data chunk"],
];

for (const [name, content, problem] of CASES) {
  test(`a malformed WAV file (${name}) is refused by name, saying what is wrong`, () => {
    const file = join(home.home, `${name.replaceAll(" ", "-")}.wav`);
    const out = join(home.home, `${name.replaceAll(" ", "-")}.png`);
    writeFileSync(file, content);
    const result = runBinary(binary, ["spectrogram", file, "--out", out, "--db", join(home.home, "none.db")], home.env);
    expect(result.stderr).not.toContain("internal error");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot read WAV file "${file}": ${problem}`);
    expect(existsSync(out)).toBe(false);
  });
}

test("an RF64 file whose data runs past its end is drawn from what is there", () => {
  const file = join(home.home, "cut-rf64.wav");
  writeFileSync(file, bytes(wideWavHeader(FORMAT, 1 << 20, 0, 100), SAMPLES));
  const result = runBinary(binary, ["spectrogram", file, "--out", join(home.home, "cut-rf64.png"), "--db", join(home.home, "none.db")], home.env);
  expect(result.code, result.stderr).toBe(0);
});
