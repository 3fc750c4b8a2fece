/**
 * @module Reading a WAV file's samples as float32 in [-1, 1], one array per channel, for the
 * models and the processing filters. It reads RIFF/WAVE with PCM 8/16/24/32-bit integers or
 * 32/64-bit floats (plain or WAVE_FORMAT_EXTENSIBLE) and skips every other chunk (LIST, guan …),
 * so files that went through GUANO tagging still read.
 */
import { AcoupiError } from "../errors.ts";
import { readDs64, RIFF_LIMIT } from "./rf64.ts";

export interface WavSamples {
  samplerate: number;
  /** One Float32Array per channel, each `frames` long. */
  channels: Float32Array[];
  frames: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function audioError(source: string, state: string): AcoupiError {
  return new AcoupiError("audio", `Cannot read WAV file "${source}": ${state}`, {
    help: "Check that the file is a complete RIFF/WAVE recording",
  });
}

function fourcc(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

interface Format {
  tag: number;
  channels: number;
  samplerate: number;
  bits: number;
}

function readFormat(view: DataView, offset: number, size: number, source: string): Format {
  if (size < 16) throw audioError(source, `the fmt chunk is ${size} bytes long`);
  let tag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const samplerate = view.getUint32(offset + 4, true);
  const bits = view.getUint16(offset + 14, true);
  // The sub-format GUID of an extensible file starts with the plain format tag.
  if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 26) tag = view.getUint16(offset + 24, true);
  return { tag, channels, samplerate, bits };
}

function sampleReader(format: Format, source: string): (view: DataView, offset: number) => number {
  const { tag, bits } = format;
  if (tag === WAVE_FORMAT_PCM) {
    if (bits === 8) return (v, o) => (v.getUint8(o) - 128) / 128;
    if (bits === 16) return (v, o) => v.getInt16(o, true) / 32768;
    if (bits === 24) {
      return (v, o) => {
        const value = v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16);
        return value / 8388608;
      };
    }
    if (bits === 32) return (v, o) => v.getInt32(o, true) / 2147483648;
  }
  if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits === 32) return (v, o) => v.getFloat32(o, true);
    if (bits === 64) return (v, o) => v.getFloat64(o, true);
  }
  throw audioError(source, `format tag ${tag} with ${bits} bits per sample is not supported`);
}

/** Decodes WAV bytes; `source` names the file in error messages. */
export function decodeWavSamples(bytes: Uint8Array, source = "<memory>"): WavSamples {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // RF64 (src/audio/rf64.ts) reads the same way: its data size of 0xFFFFFFFF means "to the end".
  if (bytes.byteLength < 12 || !["RIFF", "RF64"].includes(fourcc(view, 0)) || fourcc(view, 8) !== "WAVE") {
    throw audioError(source, "it does not start with a RIFF/WAVE header");
  }
  let format: Format | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourcc(view, offset);
    const declared = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") format = readFormat(view, body, declared, source);
    if (id === "data") {
      if (format === undefined) throw audioError(source, "the data chunk comes before the fmt chunk");
      // A recorder that crashed may leave 0 or 0xFFFFFFFF as the size: read what is there.
      const available = bytes.byteLength - body;
      const wide = declared === RIFF_LIMIT ? readDs64(view) : null;
      const real = wide === null ? declared : wide.dataSize;
      const size = real === 0 || real > available ? available : real;
      return decodeData(view, body, size, format, source);
    }
    offset = body + declared + (declared % 2);
  }
  throw audioError(source, format === undefined ? "it has no fmt chunk" : "it has no data chunk");
}

function decodeData(view: DataView, start: number, size: number, format: Format, source: string): WavSamples {
  if (format.channels < 1) throw audioError(source, "the header declares 0 channels");
  if (format.samplerate < 1) throw audioError(source, "the header declares a samplerate of 0");
  const read = sampleReader(format, source);
  const width = format.bits / 8;
  const frameBytes = width * format.channels;
  const frames = Math.floor(size / frameBytes);
  const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    const base = start + f * frameBytes;
    for (let c = 0; c < format.channels; c++) {
      (channels[c] as Float32Array)[f] = read(view, base + c * width);
    }
  }
  return { samplerate: format.samplerate, channels, frames };
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
