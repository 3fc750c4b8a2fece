/**
 * @module Benchmark: rendering the spectrogram PNG of a 3 s, 48 kHz recording (target < 100 ms),
 * split into the FFT + raster and the PNG encoding, and the PNG encoders side by side on the same
 * image: fast-png (indexed, as used), fast-png RGB, pngjs RGB (Node zlib) and upng-js RGBA. Also a
 * 384 kHz file (the cost is fixed by the plot size, not the file), and the FFT stage on its own.
 * Prints figures only. Run: ./node_modules/.bin/bun bench/spectrogram.ts
 */
import { encode as fastPngEncode } from "fast-png";
import { PNG } from "pngjs";
import { spectrogram } from "../src/audio/spectrogram.ts";
import { FFT_SIZE, PLOT_WIDTH, renderSpectrogram } from "../src/report/spectrogram/render.ts";
import { encodePng } from "../src/report/spectrogram/png.ts";
import type { Raster } from "../src/report/spectrogram/raster.ts";

const RUNS = 20;

function signal(samplerate: number, seconds: number): Float32Array {
  const n = samplerate * seconds;
  const s = new Float32Array(n);
  let seed = 1;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const chirp = 2000 + (samplerate / 5) * (i / n);
    s[i] = 0.4 * Math.sin((2 * Math.PI * chirp * i) / samplerate) + 0.05 * (seed / 2 ** 32 - 0.5);
  }
  return s;
}

function median(f: () => unknown): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number;
}

function rgb(image: Raster, alpha: boolean): Uint8Array {
  const k = alpha ? 4 : 3;
  const out = new Uint8Array(image.width * image.height * k).fill(255);
  for (let i = 0; i < image.data.length; i++) out.set(image.palette[image.data[i] as number] as readonly number[], i * k);
  return out;
}

const boxes = [{ startS: 0.5, endS: 1.5, lowHz: 3000, highHz: 9000, label: "Strix aluco 0.90" }];
for (const samplerate of [48_000, 384_000]) {
  const samples = signal(samplerate, 3);
  const input = { samples, samplerate, title: "bench", boxes };
  const fft = median(() => spectrogram(samples, { columns: PLOT_WIDTH, fftSize: FFT_SIZE }));
  const raster = median(() => renderSpectrogram(input));
  const image = renderSpectrogram(input);
  const png = median(() => encodePng(image));
  const total = median(() => encodePng(renderSpectrogram(input)));
  console.log(`${samplerate / 1000} kHz, 3 s: render ${raster.toFixed(1)} ms (of which ${PLOT_WIDTH} fft.js FFTs of ${FFT_SIZE}: ${fft.toFixed(1)} ms) + PNG ${png.toFixed(1)} ms = ${total.toFixed(1)} ms total (${encodePng(image).length} bytes)`);
}

const image = renderSpectrogram({ samples: signal(48_000, 3), samplerate: 48_000, title: "bench", boxes });
const rgbBytes = rgb(image, false);
const rgbaBytes = rgb(image, true);
const encoders: Array<[string, () => Uint8Array]> = [
  ["fast-png indexed (used)", () => encodePng(image)],
  ["fast-png RGB", () => fastPngEncode({ width: image.width, height: image.height, data: rgbBytes, channels: 3, depth: 8 })],
  [
    "pngjs RGB",
    () => {
      const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
      png.data = Buffer.from(rgbBytes);
      return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
    },
  ],
];
try {
  const { default: UPNG } = await import("upng-js");
  encoders.push(["upng-js RGBA lossless", () => new Uint8Array(UPNG.encode([rgbaBytes.buffer as ArrayBuffer], image.width, image.height, 0))]);
} catch (error) {
  console.log(`upng-js not installed (${(error as Error).message}); skipped`);
}
console.log(`\nPNG encoders on the ${image.width}×${image.height} spectrogram (median of ${RUNS}):`);
for (const [name, f] of encoders) console.log(`  ${name.padEnd(24)} ${median(f).toFixed(1).padStart(6)} ms  ${f().length} bytes`);
