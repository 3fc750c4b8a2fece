/**
 * @module Spectrograms for short calls, rendered in-process: a 3 ms detection on a 3 s plot still
 * gets a box at least 2 px wide, and crowded labels never overprint one another. The zoom through
 * `acoupi spectrogram` is in test/e2e/report/spectrogram-zoom.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { LabelLayout } from "../../src/report/spectrogram/label-layout.ts";
import { BOX_COLOR, MIN_BOX_PX, PALETTE, PLOT_HEIGHT, PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, renderSpectrogram } from "../../src/report/spectrogram/render.ts";

const BOX_INDEX = PALETTE.findIndex((c) => c.join() === BOX_COLOR.join());

describe("spectrograms for short calls", () => {
  test("a 3 ms detection on a 3 s plot gets a box at least 2 px wide", () => {
    const rate = 256_000;
    const image = renderSpectrogram({
      samples: new Float32Array(rate * 3),
      samplerate: rate,
      title: "short",
      boxes: [{ startS: 1.5, endS: 1.503, lowHz: 30_000, highHz: 60_000, label: "call" }],
    });
    const middleRow = PLOT_TOP + PLOT_HEIGHT - Math.round((45_000 / 128_000) * PLOT_HEIGHT);
    const columns: number[] = [];
    for (let x = PLOT_LEFT; x < PLOT_LEFT + PLOT_WIDTH; x++) if (image.data[middleRow * image.width + x] === BOX_INDEX) columns.push(x);
    expect(columns.length).toBeGreaterThanOrEqual(MIN_BOX_PX);
    const expected = PLOT_LEFT + (1.5015 / 3) * PLOT_WIDTH;
    for (const x of columns) expect(Math.abs(x - expected)).toBeLessThanOrEqual(2);
  }, 30_000);

  test("twelve detections at the same moment get labels that never overlap", () => {
    const layout = new LabelLayout({ x: PLOT_LEFT, y: PLOT_TOP, w: PLOT_WIDTH, h: PLOT_HEIGHT });
    const spots = Array.from({ length: 12 }, (_, i) => layout.place(PLOT_LEFT + 100 + i, PLOT_TOP + 60, 60, 9)).filter((s) => s !== null);
    expect(spots.length).toBeGreaterThan(8);
    for (let i = 0; i < spots.length; i++) {
      for (let j = i + 1; j < spots.length; j++) {
        const [a, b] = [spots[i], spots[j]] as const;
        if (a === undefined || b === undefined) continue;
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart).toBe(true);
      }
    }
    for (const s of spots) {
      expect(s?.y).toBeGreaterThanOrEqual(PLOT_TOP);
      expect((s?.y ?? 0) + (s?.h ?? 0)).toBeLessThanOrEqual(PLOT_TOP + PLOT_HEIGHT);
    }
  }, 30_000);
});
