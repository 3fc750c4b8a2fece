/**
 * @module renderSpectrogram: draws a recording's spectrogram as an RGB raster with a labelled
 * frequency axis (kHz) on the left, a time axis (s) below, a title line above, and detection
 * boxes on top. The plot is PLOT_WIDTH columns by PLOT_HEIGHT rows whatever the file, so the cost
 * is fixed: one FFT per column (512 points for the whole band, 256 bins, one per row, from 0 Hz at
 * the bottom to just under Nyquist at the top; longer when a frequency zoom needs finer bins).
 * A view (`startS`–`endS`, `fminHz`–`fmaxHz`) zooms on part of the recording. Colour spans the
 * 80 dB below the loudest bin. Callers pass the real samplerate (the header's times the time
 * expansion) so a time-expanded file is drawn in real time and real frequency, as its detections
 * are. Every detection in view gets a box at least 2 px wide and high, however short the call;
 * labels never overprint one another (label-layout.ts).
 */
import { spectrogram, type FrameSource } from "../../audio/spectrogram.ts";
import { drawText, GLYPH_HEIGHT, textWidth } from "./bitmap-font.ts";
import { LabelLayout } from "./label-layout.ts";
import { Raster, type Rgb } from "./raster.ts";

export const PLOT_LEFT = 44;
export const PLOT_TOP = 18;
export const PLOT_WIDTH = 800;
export const PLOT_HEIGHT = 256;
export const FFT_SIZE = 2 * PLOT_HEIGHT;
/** The longest FFT a frequency zoom uses (bins of samplerate / 16384 Hz). */
const MAX_FFT_SIZE = 16384;
/** The narrowest box drawn, in pixels, so a call of a few milliseconds still shows. */
export const MIN_BOX_PX = 2;
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

/** The part of a recording drawn, in real seconds and hertz. */
export interface SpectrogramView {
  startS: number;
  endS: number;
  fminHz: number;
  fmaxHz: number;
}

export interface SpectrogramInput {
  /** Mono samples in [-1, 1], in memory or read column by column from a file. */
  samples: Float32Array | FrameSource;
  /** Real samplerate in Hz (header samplerate × time expansion). */
  samplerate: number;
  title: string;
  boxes?: readonly SpectrogramBox[];
  /** Default: the whole recording, 0 Hz to Nyquist. */
  view?: Partial<SpectrogramView>;
}

/** The view clipped to the recording; throws RangeError when it is empty. */
export function resolveView(view: Partial<SpectrogramView>, durationS: number, nyquistHz: number): SpectrogramView {
  const startS = Math.max(0, view.startS ?? 0);
  const endS = Math.min(durationS, view.endS ?? durationS);
  const fminHz = Math.max(0, view.fminHz ?? 0);
  const fmaxHz = Math.min(nyquistHz, view.fmaxHz ?? nyquistHz);
  if (!(endS > startS)) throw new RangeError(`the time range ${startS}–${endS} s holds none of the recording's ${durationS} s`);
  if (!(fmaxHz > fminHz)) throw new RangeError(`the frequency range ${fminHz}–${fmaxHz} Hz holds none of the recording's 0–${nyquistHz} Hz`);
  return { startS, endS, fminHz, fmaxHz };
}

function fftSizeFor(view: SpectrogramView, samplerate: number): number {
  // Bins no wider than a row: fftSize ≥ samplerate / row height in Hz.
  const wanted = (samplerate * PLOT_HEIGHT) / (view.fmaxHz - view.fminHz);
  let size = FFT_SIZE;
  while (size < wanted - 1e-6 && size < MAX_FFT_SIZE) size *= 2;
  return size;
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

function drawPlot(image: Raster, samples: Float32Array | FrameSource, samplerate: number, view: SpectrogramView, whole: boolean): void {
  const fftSize = fftSizeFor(view, samplerate);
  const range = whole ? {} : { start: Math.round(view.startS * samplerate), end: Math.round(view.endS * samplerate) };
  const { db, bins } = spectrogram(samples, { columns: PLOT_WIDTH, fftSize, ...range });
  // Row r (0 at the bottom) shows the bin holding its lower edge: for the whole band, bin r.
  const binHz = samplerate / fftSize;
  const rowBins = Int32Array.from({ length: PLOT_HEIGHT }, (_, r) => Math.min(bins - 1, Math.floor((view.fminHz + (r * (view.fmaxHz - view.fminHz)) / PLOT_HEIGHT) / binHz + 1e-9)));
  let max = -Infinity;
  for (let c = 0; c < PLOT_WIDTH; c++) for (const k of rowBins) max = Math.max(max, db[c * bins + k] as number);
  const floor = max - DYNAMIC_RANGE_DB;
  for (let c = 0; c < PLOT_WIDTH; c++) {
    for (let r = 0; r < PLOT_HEIGHT; r++) {
      const level = Math.round((((db[c * bins + (rowBins[r] as number)] as number) - floor) / DYNAMIC_RANGE_DB) * (LEVELS - 1));
      image.data[(PLOT_TOP + PLOT_HEIGHT - 1 - r) * image.width + PLOT_LEFT + c] = level < 0 ? 0 : level >= LEVELS ? LEVELS - 1 : level;
    }
  }
}

/** Multiples of `step` from `from` to `to`. */
function ticks(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = Math.ceil(from / step - 1e-9); i * step <= to + 1e-9; i++) out.push(i * step);
  return out;
}

function drawAxes(image: Raster, view: SpectrogramView): void {
  const bottom = PLOT_TOP + PLOT_HEIGHT;
  image.fill(PLOT_LEFT - 1, PLOT_TOP, 1, PLOT_HEIGHT + 1, INK);
  image.fill(PLOT_LEFT - 1, bottom, PLOT_WIDTH + 1, 1, INK);
  const lowK = view.fminHz / 1000;
  const spanK = (view.fmaxHz - view.fminHz) / 1000;
  for (const f of ticks(lowK, lowK + spanK, niceStep(spanK, 8))) {
    const y = bottom - 1 - Math.round(((f - lowK) / spanK) * PLOT_HEIGHT);
    image.fill(PLOT_LEFT - 4, y, 3, 1, INK);
    const text = trimNumber(f);
    drawText(image, PLOT_LEFT - 6 - textWidth(text), Math.max(PLOT_TOP - 3, y - 3), text, INK);
  }
  drawText(image, 2, 2, "KHZ", INK);
  const spanS = view.endS - view.startS;
  for (const t of ticks(view.startS, view.endS, niceStep(spanS, 10))) {
    const x = PLOT_LEFT + Math.round(((t - view.startS) / spanS) * (PLOT_WIDTH - 1));
    image.fill(x, bottom + 1, 1, 3, INK);
    const text = trimNumber(t);
    drawText(image, Math.min(IMAGE_WIDTH - textWidth(text) - 1, x - Math.floor(textWidth(text) / 2)), bottom + 6, text, INK);
  }
  drawText(image, PLOT_LEFT + PLOT_WIDTH - textWidth("TIME (S)"), bottom + 8 + GLYPH_HEIGHT, "TIME (S)", INK);
}

/** A span [a, b] of pixels, at least MIN_BOX_PX long, kept inside [lo, hi]. */
function widen(a: number, b: number, lo: number, hi: number): [number, number] {
  if (b - a >= MIN_BOX_PX) return [a, b];
  const centre = (a + b) / 2;
  const start = Math.max(lo, Math.min(hi - MIN_BOX_PX, Math.round(centre - MIN_BOX_PX / 2)));
  return [start, start + MIN_BOX_PX];
}

/** Where a box lands in the plot, or null when it lies outside the view. */
function boxPixels(box: SpectrogramBox, view: SpectrogramView): { x0: number; x1: number; top: number; bottom: number } | null {
  if (box.endS < view.startS || box.startS > view.endS || box.highHz < view.fminHz || box.lowHz > view.fmaxHz) return null;
  const spanS = view.endS - view.startS;
  const spanHz = view.fmaxHz - view.fminHz;
  const xAt = (t: number) => PLOT_LEFT + ((Math.min(view.endS, Math.max(view.startS, t)) - view.startS) / spanS) * PLOT_WIDTH;
  const yAt = (f: number) => PLOT_TOP + PLOT_HEIGHT - ((Math.min(view.fmaxHz, Math.max(view.fminHz, f)) - view.fminHz) / spanHz) * PLOT_HEIGHT;
  const [x0, x1] = widen(Math.round(xAt(box.startS)), Math.round(xAt(box.endS)), PLOT_LEFT, PLOT_LEFT + PLOT_WIDTH);
  const [top, bottom] = widen(Math.round(yAt(box.highHz)), Math.round(yAt(box.lowHz)), PLOT_TOP, PLOT_TOP + PLOT_HEIGHT);
  return { x0, x1, top, bottom };
}

function drawBoxes(image: Raster, boxes: readonly SpectrogramBox[], view: SpectrogramView): void {
  const placed = boxes.map((box) => ({ box, at: boxPixels(box, view) }));
  for (const { at } of placed) if (at !== null) image.outline(at.x0, at.top, at.x1 - at.x0, at.bottom - at.top, BOX);
  // Labels after every box, so no box line crosses a label, and placed so none overprints another.
  const layout = new LabelLayout({ x: PLOT_LEFT, y: PLOT_TOP, w: IMAGE_WIDTH - PLOT_LEFT, h: PLOT_HEIGHT });
  for (const { box, at } of placed) {
    if (at === null) continue;
    const spot = layout.place(at.x0, at.top, textWidth(box.label) + 4, GLYPH_HEIGHT + 2);
    if (spot === null) continue;
    image.fill(spot.x, spot.y, spot.w, spot.h, LABEL_BACKGROUND);
    drawText(image, spot.x + 2, spot.y + 1, box.label, BOX);
  }
}

export function renderSpectrogram(input: SpectrogramInput): Raster {
  const image = new Raster(IMAGE_WIDTH, IMAGE_HEIGHT, PALETTE, BACKGROUND);
  const durationS = input.samples.length / input.samplerate;
  const view = resolveView(input.view ?? {}, durationS, input.samplerate / 2);
  const whole = view.startS === 0 && view.endS === durationS;
  drawPlot(image, input.samples, input.samplerate, view, whole);
  drawAxes(image, view);
  drawText(image, PLOT_LEFT + 4, 4, input.title, INK);
  drawBoxes(image, input.boxes ?? [], view);
  return image;
}
