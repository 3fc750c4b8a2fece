/**
 * @module Encoding a Raster as an indexed-colour PNG with fast-png (pure JS, typed, maintained,
 * deflate by fflate). It was measured against pngjs and upng-js in bench/spectrogram.ts: fast-png
 * is the only one of the three that writes palette images, which makes the spectrogram PNG
 * several times smaller and faster to deflate than the RGB that pngjs can write.
 */
import { encode } from "fast-png";
import type { Raster } from "./raster.ts";

export function encodePng(image: Raster): Uint8Array {
  return encode({
    width: image.width,
    height: image.height,
    data: image.data,
    depth: 8,
    channels: 1,
    palette: image.palette.map((c) => [c[0], c[1], c[2]]),
  });
}
