/**
 * @module Reading a recording's samples in real time: the one place that undoes time expansion.
 * A time-expanded file keeps every captured sample but its WAV header says `samplerate / factor`
 * (so players play it slowed down); GUANO (`TE`, `Samplerate`) and the metadata database carry
 * the factor. Models, the privacy screen, spectrograms and `acoupi analyze` all read through here,
 * so each of them sees seconds and hertz as they were in the field (docs/time-expansion.md).
 */
import { AcoupiError } from "../errors.ts";
import { readGuano } from "./guano.ts";
import { decodeWavSamples, mixdownMono } from "./read-wav-samples.ts";
import { resampleSync } from "./resample.ts";

export interface RealTimeAudio {
  /** Mono float32 in [-1, 1], at `samplerate`. */
  samples: Float32Array;
  /** Samples per real second: the capture rate, or `rate` when one was asked for. */
  samplerate: number;
  /** The factor that was undone (1 for a file recorded in real time). */
  timeExpansion: number;
  /** The samplerate the file's header states (the expanded rate). */
  headerSamplerate: number;
}

export interface RealTimeOptions {
  /** The factor from the metadata database; without it, GUANO's `TE`, else 1. */
  timeExpansion?: number;
  /** Resample to this rate (Hz, real time); by default the capture rate is kept. */
  rate?: number;
}

/**
 * The capture rate of a file whose header states `headerRate` after time expansion by `factor`.
 * GUANO's `Samplerate` (the capture rate, which acoupi writes) wins when it agrees with the header,
 * since the header was rounded down (`floor(rate / factor)`); otherwise `headerRate × factor`.
 */
export function realSamplerate(headerRate: number, factor: number, guanoSamplerate?: number): number {
  if (factor === 1) return headerRate;
  if (guanoSamplerate !== undefined && Number.isInteger(guanoSamplerate) && Math.floor(guanoSamplerate / factor) === headerRate) {
    return guanoSamplerate;
  }
  return Math.round(headerRate * factor);
}

/** The time-expansion factor a file declares in GUANO (`TE`), or 1. */
export function guanoFactor(fields: ReadonlyMap<string, string> | null): number {
  const te = Number(fields?.get("TE") ?? 1);
  return Number.isFinite(te) && te > 0 ? te : 1;
}

/** Decodes WAV bytes into real-time mono samples; `source` names the file in errors. */
export function decodeRealTime(bytes: Uint8Array, source: string, options: RealTimeOptions = {}): RealTimeAudio {
  const wav = decodeWavSamples(bytes, source);
  const guano = readGuano(bytes);
  const factor = options.timeExpansion ?? guanoFactor(guano);
  if (!(factor > 0)) throw new AcoupiError("audio", `Cannot read "${source}" in real time: time expansion ${factor} is not positive`);
  const guanoRate = guano?.get("Samplerate");
  const samplerate = realSamplerate(wav.samplerate, factor, guanoRate === undefined ? undefined : Number(guanoRate));
  const mono = mixdownMono(wav);
  const rate = options.rate ?? samplerate;
  return { samples: resampleSync(mono, samplerate, rate), samplerate: rate, timeExpansion: factor, headerSamplerate: wav.samplerate };
}

/** Reads the WAV at `path` in real time. Throws AcoupiError (code "audio") when it cannot. */
export async function readRealTime(path: string, options: RealTimeOptions = {}): Promise<RealTimeAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await Bun.file(path).bytes();
  } catch (error) {
    throw new AcoupiError("audio", `Cannot read WAV file "${path}": ${(error as Error).message}`, { cause: error });
  }
  return decodeRealTime(bytes, path, options);
}
