/**
 * @module Reading a WAV file's samples as float32 in [-1, 1], one array per channel, for the
 * models and the processing filters. It reads RIFF/WAVE with PCM 8/16/24/32-bit integers or
 * 32/64-bit floats (plain or WAVE_FORMAT_EXTENSIBLE) and skips every other chunk (LIST, guan …),
 * so files that went through GUANO tagging still read.
 */
import { AcoupiError } from "../errors.ts";
import { inspectWav, sampleDecoder } from "./wav-file.ts";

export interface WavSamples {
  samplerate: number;
  /** One Float32Array per channel, each `frames` long. */
  channels: Float32Array[];
  frames: number;
}

/** Decodes WAV bytes; `source` names the file in error messages (see wav-file.ts for what is checked). */
export function decodeWavSamples(bytes: Uint8Array, source = "<memory>"): WavSamples {
  const info = inspectWav((offset, length) => bytes.subarray(offset, offset + length), bytes.byteLength, source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = sampleDecoder(info);
  const width = info.bits / 8;
  const channels = Array.from({ length: info.channels }, () => new Float32Array(info.frames));
  for (let f = 0; f < info.frames; f++) {
    const base = info.dataOffset + f * info.blockAlign;
    for (let c = 0; c < info.channels; c++) (channels[c] as Float32Array)[f] = read(view, base + c * width);
  }
  return { samplerate: info.samplerate, channels, frames: info.frames };
}

/** Reads and decodes a WAV file. Throws AcoupiError (code "audio") when it cannot. */
export async function readWavSamples(path: string): Promise<WavSamples> {
  let bytes: Uint8Array;
  try {
    bytes = await Bun.file(path).bytes();
  } catch (error) {
    throw new AcoupiError("audio", `Cannot read WAV file "${path}": ${(error as Error).message}`, { cause: error });
  }
  return decodeWavSamples(bytes, path);
}

/** The mean of all channels; a mono file's only channel is returned as is. */
export function mixdownMono(wav: WavSamples): Float32Array {
  const [first, ...rest] = wav.channels;
  if (first === undefined) return new Float32Array(0);
  if (rest.length === 0) return first;
  const mono = Float32Array.from(first);
  for (const channel of rest) for (let i = 0; i < mono.length; i++) mono[i] = (mono[i] as number) + (channel[i] as number);
  const scale = 1 / wav.channels.length;
  for (let i = 0; i < mono.length; i++) mono[i] = (mono[i] as number) * scale;
  return mono;
}
