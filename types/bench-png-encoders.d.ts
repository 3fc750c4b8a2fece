/**
 * @module Minimal declarations for the two PNG encoders that bench/spectrogram.ts compares with
 * fast-png (neither ships types); only the calls the benchmark makes.
 */
declare module "pngjs" {
  export class PNG {
    constructor(options: { width: number; height: number; colorType?: number; inputColorType?: number; inputHasAlpha?: boolean });
    data: Buffer;
    static sync: { write(png: PNG, options?: { colorType?: number; inputColorType?: number; inputHasAlpha?: boolean }): Buffer };
  }
}

declare module "upng-js" {
  const UPNG: { encode(frames: ArrayBuffer[], width: number, height: number, colours: number): ArrayBuffer };
  export default UPNG;
}
