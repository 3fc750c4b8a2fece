/**
 * @module Raster: an 8-bit indexed-colour image in memory (one palette index a pixel, at most 256
 * colours) with the few drawing operations the spectrogram needs. Indexed pixels are a third of
 * the bytes of RGB, so the PNG deflates faster and comes out smaller. Coordinates outside the
 * image are clipped.
 */

export type Rgb = readonly [number, number, number];

export class Raster {
  readonly width: number;
  readonly height: number;
  /** Palette indexes, row by row from the top. */
  readonly data: Uint8Array;
  readonly palette: readonly Rgb[];

  constructor(width: number, height: number, palette: readonly Rgb[], background: number) {
    if (palette.length > 256) throw new RangeError(`A palette holds at most 256 colours, got ${palette.length}`);
    this.width = width;
    this.height = height;
    this.palette = palette;
    this.data = new Uint8Array(width * height).fill(background);
  }

  set(x: number, y: number, color: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.data[y * this.width + x] = color;
  }

  /** The colour of a pixel. */
  rgb(x: number, y: number): Rgb {
    return this.palette[this.data[y * this.width + x] as number] as Rgb;
  }

  fill(x: number, y: number, w: number, h: number, color: number): void {
    const x0 = Math.max(0, x);
    const x1 = Math.min(this.width, x + w);
    if (x1 <= x0) return;
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) this.data.fill(color, yy * this.width + x0, yy * this.width + x1);
  }

  outline(x: number, y: number, w: number, h: number, color: number): void {
    this.fill(x, y, w, 1, color);
    this.fill(x, y + h - 1, w, 1, color);
    this.fill(x, y, 1, h, color);
    this.fill(x + w - 1, y, 1, h, color);
  }
}
