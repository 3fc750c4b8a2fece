/**
 * @module The short-time power spectrum of a mono signal, one Hann-windowed FFT (fft.js, radix-4)
 * per output column: column c analyses the `fftSize` samples centred on `(c + ½) / columns` of the
 * signal (moved inwards at the ends), so the cost is `columns` FFTs whatever the file's length or samplerate. With a
 * sample range (a zoom), the columns span that range instead and frames reach into the samples
 * around it (zeros beyond the signal's ends). Power is in
 * decibels relative to full scale (a full-scale sine's bin reads about 0 dB). The samples are an
 * array or a FrameSource read column by column, so memory does not grow with the file's length.
 */
import FFT from "fft.js";

/** Samples read at any position, so a long file need not be in memory (see WavFile.readMono). */
export interface FrameSource {
  /** The number of samples. */
  length: number;
  /** Fills `into` with the samples from `start` on; those outside [0, length) are 0. */
  read(start: number, into: Float64Array): void;
}

function arraySource(samples: Float32Array): FrameSource {
  return {
    length: samples.length,
    read(start, into) {
      for (let i = 0; i < into.length; i++) {
        const j = start + i;
        into[i] = j >= 0 && j < samples.length ? (samples[j] as number) : 0;
      }
    },
  };
}

export interface SpectrogramOptions {
  /** Output columns (time steps). */
  columns: number;
  /** FFT length, a power of two ≥ 4; the spectrum has fftSize / 2 bins from 0 Hz to below Nyquist. */
  fftSize: number;
  /** First sample of the span the columns cover (default 0). */
  start?: number;
  /** End (exclusive) of the span the columns cover (default the signal's length). */
  end?: number;
}

export interface Spectrogram {
  columns: number;
  bins: number;
  /** dBFS, column-major: `db[c * bins + k]` is bin k (k × samplerate / fftSize Hz) of column c. */
  db: Float32Array;
}

const FLOOR_DB = -200;

export function spectrogram(input: Float32Array | FrameSource, options: SpectrogramOptions): Spectrogram {
  const samples = input instanceof Float32Array ? arraySource(input) : input;
  const { columns, fftSize } = options;
  const zoomed = options.start !== undefined || options.end !== undefined;
  const from = options.start ?? 0;
  const span = (options.end ?? samples.length) - from;
  if (fftSize < 4 || (fftSize & (fftSize - 1)) !== 0) throw new RangeError(`fftSize must be a power of two ≥ 4, got ${fftSize}`);
  const bins = fftSize / 2;
  const fft = new FFT(fftSize);
  const frame = new Float64Array(fftSize);
  const out: number[] = fft.createComplexArray();
  const window = new Float64Array(fftSize);
  let windowSum = 0;
  for (let i = 0; i < fftSize; i++) {
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / fftSize);
    windowSum += window[i] as number;
  }
  // A sine of amplitude 1 peaks at |X| = windowSum / 2; scale so that reads 0 dB.
  const scale = 2 / windowSum;
  const db = new Float32Array(columns * bins);
  for (let c = 0; c < columns; c++) {
    const centre = from + Math.round(((c + 0.5) / columns) * span);
    // Frames stay inside the signal when it is long enough: a frame half of zeros smears the edges.
    const start = !zoomed && samples.length >= fftSize ? Math.min(samples.length - fftSize, Math.max(0, centre - fftSize / 2)) : centre - fftSize / 2;
    samples.read(start, frame);
    for (let i = 0; i < fftSize; i++) frame[i] = (frame[i] as number) * (window[i] as number);
    fft.realTransform(out, frame);
    for (let k = 0; k < bins; k++) {
      const re = (out[2 * k] as number) * scale;
      const im = (out[2 * k + 1] as number) * scale;
      const power = re * re + im * im;
      db[c * bins + k] = power > 0 ? Math.max(FLOOR_DB, 10 * Math.log10(power)) : FLOOR_DB;
    }
  }
  return { columns, bins, db };
}
