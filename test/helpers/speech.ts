/**
 * @module Real synthetic speech for the privacy tests: espeak-ng speaks a sentence and sox turns
 * it into raw S16_LE mono at the rate asked (as assets/demo-clip.md makes the demo clip), and
 * small mixers lay it over a tone or noise at a chosen level. Both tools are deterministic.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function run(cmd: string[]): void {
  const proc = Bun.spawnSync(cmd, { stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`${cmd[0]} failed: ${proc.stderr.toString()}`);
}

/** `text` spoken by espeak-ng (voice en-gb, 150 wpm), as mono samples in [-1, 1] at `rate`. */
export function speech(text: string, rate: number): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-speech-"));
  try {
    const wav = join(dir, "speech.wav");
    const raw = join(dir, "speech.raw");
    run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", wav, text]);
    run(["sox", "-D", wav, "-t", "raw", "-r", String(rate), "-c", "1", "-b", "16", "-e", "signed-integer", "-L", raw]);
    const bytes = readFileSync(raw);
    const ints = new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 2));
    return Float32Array.from(ints, (v) => v / 32768);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A sine of `hz` at `amplitude`, `seconds` long. */
export function tone(seconds: number, rate: number, hz: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** Uniform noise at `amplitude` from a seeded generator, `seconds` long. */
export function noise(seconds: number, rate: number, amplitude: number, seed = 1): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: Math.round(seconds * rate) }, () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return amplitude * ((a / 4294967296) * 2 - 1);
  });
}

/** `bed` with `voice × gain` added from `offset` seconds, clipped to [-1, 1]. */
export function mix(bed: Float32Array, voice: Float32Array, gain: number, rate: number, offset = 0): Float32Array {
  const out = bed.slice();
  const start = Math.round(offset * rate);
  for (let i = 0; i < voice.length && start + i < out.length; i++) out[start + i] = Math.max(-1, Math.min(1, (out[start + i] ?? 0) + gain * (voice[i] ?? 0)));
  return out;
}

/** Samples in [-1, 1] as S16_LE bytes. */
export function s16le(samples: Float32Array): Uint8Array {
  const ints = Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
  return new Uint8Array(ints.buffer);
}
