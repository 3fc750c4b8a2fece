/**
 * @module Benchmark: resampling cost in CPU milliseconds per second of audio, ours (the polyphase
 * windowed-sinc of src/audio/sinc-resampler.ts, "medium" and "fastest") side by side with
 * libsamplerate (WASM, SINC_MEDIUM_QUALITY and SINC_FASTEST) where it can run (≤ 192 kHz):
 * 384→256, 500→256, 256→16 (the privacy screen at bat rates), 96→48, 48→16 and 44.1→48 kHz. Also
 * the stopband each filter reaches (a tone at 1.3 × the new Nyquist, in dB after resampling).
 * Each figure is the median of RUNS runs over 10 s of noise-plus-chirp; the plan (filter table) is
 * built once and cached, as in a runner. Prints figures only. Run: ./node_modules/.bin/bun bench/resample.ts
 */
import { create } from "@alexanderolsen/libsamplerate-js";
import { resampleSync } from "../src/audio/resample.ts";

const RUNS = 7;
const SECONDS = 10;
const PAIRS: Array<[number, number]> = [
  [384_000, 256_000],
  [500_000, 256_000],
  [256_000, 16_000],
  [500_000, 16_000],
  [96_000, 48_000],
  [48_000, 16_000],
  [44_100, 48_000],
];

function signal(rate: number, seconds: number): Float32Array {
  const n = rate * seconds;
  const s = new Float32Array(n);
  let seed = 1;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    s[i] = 0.4 * Math.sin((2 * Math.PI * (1000 + (rate / 4) * (i / n)) * i) / rate) + 0.05 * (seed / 2 ** 32 - 0.5);
  }
  return s;
}

function tone(rate: number, hz: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
}

function cpuMs(f: () => unknown): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const before = process.cpuUsage();
    f();
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number;
}

function stopbandDb(run: (x: Float32Array) => Float32Array, from: number, to: number): string {
  if (to >= from) return "—";
  const out = run(tone(from, 1.3 * (to / 2), 0.5));
  const skip = Math.floor(out.length / 8);
  let sum = 0;
  for (let i = skip; i < out.length - skip; i++) sum += (out[i] as number) ** 2;
  return (20 * Math.log10(Math.sqrt(sum / (out.length - 2 * skip)) * Math.SQRT2)).toFixed(0);
}

type Converter = { simple(x: Float32Array): Float32Array; destroy(): void };

async function libsamplerate(from: number, to: number, type: 1 | 2): Promise<Converter | null> {
  if (from > 192_000 || to > 192_000) return null;
  return (await create(1, from, to, { converterType: type })) as Converter;
}

const rows: string[][] = [["rates (kHz)", "ours medium", "lsr medium", "ratio", "ours fastest", "lsr fastest", "stopband ours/lsr (dB)"]];
for (const [from, to] of PAIRS) {
  const input = signal(from, SECONDS);
  const ours = cpuMs(() => resampleSync(input, from, to)) / SECONDS;
  const oursFast = cpuMs(() => resampleSync(input, from, to, "fastest")) / SECONDS;
  const lsr = await libsamplerate(from, to, 1);
  const lsrFast = await libsamplerate(from, to, 2);
  const theirs = lsr === null ? null : cpuMs(() => lsr.simple(input)) / SECONDS;
  const theirsFast = lsrFast === null ? null : cpuMs(() => lsrFast.simple(input)) / SECONDS;
  const stop = `${stopbandDb((x) => resampleSync(x, from, to), from, to)} / ${lsr === null ? "refused" : stopbandDb((x) => lsr.simple(x), from, to)}`;
  lsr?.destroy();
  lsrFast?.destroy();
  const cell = (v: number | null) => (v === null ? "refused" : v.toFixed(1));
  rows.push([
    `${from / 1000}→${to / 1000}`,
    cell(ours),
    cell(theirs),
    theirs === null ? "—" : `${(theirs / ours).toFixed(2)}× faster`,
    cell(oursFast),
    cell(theirsFast),
    stop,
  ]);
}

console.log(`Resampling, CPU ms per second of audio (median of ${RUNS} runs over ${SECONDS} s; lower is better)`);
const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
for (const row of rows) console.log(row.map((v, c) => v.padStart(widths[c] ?? 0)).join("  "));
