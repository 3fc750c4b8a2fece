/**
 * @module A spectrogram of real-time audio with its axes in seconds and hertz, for programs:
 * `spectrogram.ts` computes the columns on samples; this names where each column and bin sits.
 * Give it what `readRealTime` returns and every figure is real (time expansion undone).
 */
import { spectrogram } from "./spectrogram.ts";

export interface SpectrogramOfOptions {
  /** Output columns (time steps); default one per `fftSize / 2` samples of the span, at most 2048. */
  columns?: number;
  /** FFT length in samples, a power of two ≥ 4 (default 512); the bins are `samplerate / fftSize` Hz apart. */
  fftSize?: number;
  /** Start of the span, in seconds from the first sample (default 0). */
  start?: number;
  /** End of the span, in seconds (default the end of the audio). */
  end?: number;
}

export interface AudioSpectrogram {
  columns: number;
  bins: number;
  /** Power in dBFS, column-major: `db[c * bins + k]` is bin k of column c. */
  db: Float32Array;
  /** Hz between bins: bin k is centred on `k × binHz` Hz. */
  binHz: number;
  /** Seconds between columns: column c is centred on `start + (c + ½) × columnSeconds` s. */
  columnSeconds: number;
  /** The span's start, in seconds. */
  start: number;
}

/** The spectrogram of mono `samples` at `samplerate` Hz (real time), with its axes. */
export function spectrogramOf(audio: { samples: Float32Array; samplerate: number }, options: SpectrogramOfOptions = {}): AudioSpectrogram {
  const { samples, samplerate } = audio;
  const fftSize = options.fftSize ?? 512;
  const from = Math.max(0, Math.round((options.start ?? 0) * samplerate));
  const to = Math.min(samples.length, Math.round((options.end ?? samples.length / samplerate) * samplerate));
  if (!(to > from)) throw new RangeError(`The span ${options.start ?? 0}–${options.end ?? "end"} s holds no samples of this ${samples.length / samplerate} s audio`);
  const columns = options.columns ?? Math.max(1, Math.min(2048, Math.floor((to - from) / (fftSize / 2))));
  const zoomed = options.start !== undefined || options.end !== undefined;
  const result = spectrogram(samples, zoomed ? { columns, fftSize, start: from, end: to } : { columns, fftSize });
  return { ...result, binHz: samplerate / fftSize, columnSeconds: (to - from) / samplerate / columns, start: from / samplerate };
}
