/**
 * @module Placing detection labels on a spectrogram so that none overprints another: each label
 * tries a few spots near its box (above it, inside its top, then further down in rows), and takes
 * the first that overlaps no label placed before and stays inside the plot. A label with no free
 * spot is left out; its box is still drawn. Pure geometry: rectangles in, positions out.
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Places labels one after the other; `bounds` is the area labels may use. */
export class LabelLayout {
  readonly #bounds: Rect;
  readonly #placed: Rect[] = [];

  constructor(bounds: Rect) {
    this.#bounds = bounds;
  }

  /** The labels placed so far. */
  get placed(): readonly Rect[] {
    return this.#placed;
  }

  /**
   * A free spot for a `w`×`h` label of the box whose left edge is `boxX` and top is `boxTop`, or
   * null when every spot tried is taken.
   */
  place(boxX: number, boxTop: number, w: number, h: number): Rect | null {
    const b = this.#bounds;
    const x = Math.max(b.x, Math.min(boxX, b.x + b.w - w));
    const ys = [boxTop - h - 1, boxTop + 2];
    for (let y = boxTop + 2 + h + 1; y + h <= b.y + b.h; y += h + 1) ys.push(y);
    for (let y = boxTop - 2 * h - 2; y >= b.y; y -= h + 1) ys.push(y);
    for (const y of ys) {
      if (y < b.y || y + h > b.y + b.h) continue;
      const spot = { x, y, w, h };
      if (this.#placed.some((p) => overlaps(p, spot))) continue;
      this.#placed.push(spot);
      return spot;
    }
    return null;
  }
}
