/**
 * @module renderSpectrogram: draws a recording's spectrogram as an RGB raster with a labelled
 * frequency axis (kHz) on the left, a time axis (s) below, a title line above, and detection
 * boxes on top. The plot is PLOT_WIDTH columns by PLOT_HEIGHT rows whatever the file, so the cost
 * is fixed: one 512-point FFT per column (256 bins, one per row, from 0 Hz at the bottom to just
 * under Nyquist at the top). Colour spans the 80 dB below the loudest bin. Callers pass the real
 * samplerate (the header's times the time expansion) so a time-expanded file is drawn in real
 * time and real frequency, as its detections are.
 */
import { spectrogram, type FrameSource } from "../../audio/spectrogram.ts";
import { drawText, GLYPH_HEIGHT, textWidth } from "./bitmap-font.ts";
import { Raster, type Rgb } from "./raster.ts";

export const PLOT_LEFT = 44;
export const PLOT_TOP = 18;
export const PLOT_WIDTH = 800;
export const PLOT_HEIGHT = 256;
export const FFT_SIZE = 2 * PLOT_HEIGHT;
export const IMAGE_WIDTH = PLOT_LEFT + PLOT_WIDTH + 10;
export const IMAGE_HEIGHT = PLOT_TOP + PLOT_HEIGHT + 26;
const DYNAMIC_RANGE_DB = 80;

/** Palette: LEVELS colours from quiet to loud (black, deep blue, magenta, orange, pale yellow), then the page's. */
const STOPS: readonly Rgb[] = [
  [0, 0, 4],
  [40, 11, 84],
  [140, 40, 110],
  [230, 100, 40],
  [252, 250, 160],
];
const LEVELS = 248;
function gradient(i: number): Rgb {
  const t = (i / (LEVELS - 1)) * (STOPS.length - 1);
  const a = STOPS[Math.floor(t)] as Rgb;
  const b = STOPS[Math.min(STOPS.length - 1, Math.floor(t) + 1)] as Rgb;
  const f = t - Math.floor(t);
  const mix = (c: 0 | 1 | 2) => Math.round(a[c] + (b[c] - a[c]) * f);
  return [mix(0), mix(1), mix(2)];
}
const BACKGROUND = LEVELS;
const INK = LEVELS + 1;
const BOX = LEVELS + 2;
const LABEL_BACKGROUND = LEVELS + 3;
export const PALETTE: readonly Rgb[] = [...Array.from({ length: LEVELS }, (_, i) => gradient(i)), [250, 250, 250], [30, 30, 30], [255, 255, 255], [0, 0, 0]];
/** The colour of detection boxes and their labels. */
export const BOX_COLOR: Rgb = PALETTE[BOX] as Rgb;

export interface SpectrogramBox {
  startS: number;
  endS: number;
  lowHz: number;
  highHz: number;
  label: string;
}

export interface SpectrogramInput {
  /** Mono samples in [-1, 1], in memory or read column by column from a file. */
  samples: Float32Array | FrameSource;
  /** Real samplerate in Hz (header samplerate × time expansion). */
  samplerate: number;
  title: string;
  boxes?: readonly SpectrogramBox[];
}

function niceStep(span: number, maxTicks: number): number {
  const raw = span / maxTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function trimNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function drawPlot(image: Raster, samples: Float32Array | FrameSource): void {
  const { db, bins } = spectrogram(samples, { columns: PLOT_WIDTH, fftSize: FFT_SIZE });
  let max = -Infinity;
  for (const v of db) if (v > max) max = v;
  const floor = max - DYNAMIC_RANGE_DB;
  for (let c = 0; c < PLOT_WIDTH; c++) {
    for (let k = 0; k < bins; k++) {
      const level = Math.round((((db[c * bins + k] as number) - floor) / DYNAMIC_RANGE_DB) * (LEVELS - 1));
      image.data[(PLOT_TOP + PLOT_HEIGHT - 1 - k) * image.width + PLOT_LEFT + c] = level < 0 ? 0 : level >= LEVELS ? LEVELS - 1 : level;
    }
  }
}

function drawAxes(image: Raster, durationS: number, nyquistHz: number): void {
  const bottom = PLOT_TOP + PLOT_HEIGHT;
  image.fill(PLOT_LEFT - 1, PLOT_TOP, 1, PLOT_HEIGHT + 1, INK);
  image.fill(PLOT_LEFT - 1, bottom, PLOT_WIDTH + 1, 1, INK);
  const kHz = nyquistHz / 1000;
  const fStep = niceStep(kHz, 8);
  for (let f = 0; f <= kHz + 1e-9; f += fStep) {
    const y = bottom - 1 - Math.round((f / kHz) * PLOT_HEIGHT);
    image.fill(PLOT_LEFT - 4, y, 3, 1, INK);
    const text = trimNumber(f);
    drawText(image, PLOT_LEFT - 6 - textWidth(text), Math.max(PLOT_TOP - 3, y - 3), text, INK);
  }
  drawText(image, 2, 2, "KHZ", INK);
  const tStep = niceStep(durationS, 10);
  for (let t = 0; t <= durationS + 1e-9; t += tStep) {
    const x = PLOT_LEFT + Math.round((t / durationS) * (PLOT_WIDTH - 1));
    image.fill(x, bottom + 1, 1, 3, INK);
    const text = trimNumber(t);
    drawText(image, Math.min(IMAGE_WIDTH - textWidth(text) - 1, x - Math.floor(textWidth(text) / 2)), bottom + 6, text, INK);
  }
  drawText(image, PLOT_LEFT + PLOT_WIDTH - textWidth("TIME (S)"), bottom + 8 + GLYPH_HEIGHT, "TIME (S)", INK);
}

function drawBox(image: Raster, box: SpectrogramBox, durationS: number, nyquistHz: number): void {
  const x0 = PLOT_LEFT + Math.round((Math.max(0, box.startS) / durationS) * PLOT_WIDTH);
  const x1 = PLOT_LEFT + Math.round((Math.min(durationS, box.endS) / durationS) * PLOT_WIDTH);
  const top = PLOT_TOP + PLOT_HEIGHT - Math.round((Math.min(nyquistHz, box.highHz) / nyquistHz) * PLOT_HEIGHT);
  const bottom = PLOT_TOP + PLOT_HEIGHT - Math.round((Math.max(0, box.lowHz) / nyquistHz) * PLOT_HEIGHT);
  if (x1 - x0 < 2 || bottom - top < 2) return;
  image.outline(x0, top, x1 - x0, bottom - top, BOX);
  const labelY = top - GLYPH_HEIGHT - 3 >= PLOT_TOP ? top - GLYPH_HEIGHT - 3 : top + 2;
  image.fill(x0, labelY, textWidth(box.label) + 4, GLYPH_HEIGHT + 2, LABEL_BACKGROUND);
  drawText(image, x0 + 2, labelY + 1, box.label, BOX);
}

export function renderSpectrogram(input: SpectrogramInput): Raster {
  const image = new Raster(IMAGE_WIDTH, IMAGE_HEIGHT, PALETTE, BACKGROUND);
  const durationS = input.samples.length / input.samplerate;
  const nyquistHz = input.samplerate / 2;
  drawPlot(image, input.samples);
  drawAxes(image, durationS, nyquistHz);
  drawText(image, PLOT_LEFT + 4, 4, input.title, INK);
  for (const box of input.boxes ?? []) drawBox(image, box, durationS, nyquistHz);
  return image;
}
