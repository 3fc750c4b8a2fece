/**
 * @module The live input level, from the capture itself to whoever watches (the page's Worker):
 * one slot in a SharedArrayBuffer, newest value wins, so the channel is bounded by construction
 * and capture never waits for a reader. The capture Worker feeds every read from the device
 * (capture-worker.ts gets the slot with its start message); it measures only while the reader
 * says someone watches (`watchers` > 0), so with nobody on the page the capture path does one
 * atomic read per chunk and nothing else. The runner hands the same slot to the page Worker. The level is published
 * every PUBLISH_S of audio: the peak and RMS in dBFS over that span, its wall time and a sequence
 * number the reader compares to see a new value.
 */

/** Seconds of audio per published level (at least once a second, as the page promises). */
export const PUBLISH_S = 0.25;

const FULL_SCALE = 32768;
/** Int32 slots: [0] sequence, [1] watchers. Float64 slots (after 8 bytes): peak dBFS, RMS dBFS, time (ms). */
const INTS = 2;

export interface LiveLevelValue {
  seq: number;
  peak_dbfs: number | null;
  rms_dbfs: number | null;
  at: number;
}

function dbfs(v: number): number | null {
  const d = 20 * Math.log10(v / FULL_SCALE);
  return Number.isFinite(d) ? Math.round(d * 10) / 10 : null;
}

export class LiveLevel {
  readonly buffer: SharedArrayBuffer;
  readonly #ints: Int32Array;
  readonly #floats: Float64Array;
  #peak = 0;
  #sumSquares = 0;
  #count = 0;

  constructor(buffer = new SharedArrayBuffer(INTS * 4 + 3 * 8)) {
    this.buffer = buffer;
    this.#ints = new Int32Array(buffer, 0, INTS);
    this.#floats = new Float64Array(buffer, INTS * 4, 3);
  }

  /** The capture side: measures interleaved samples at `samplesPerSecond` (rate × channels) when someone watches. */
  feed(samples: Int16Array, samplesPerSecond: number): void {
    if (Atomics.load(this.#ints, 1) <= 0) {
      this.#count = 0;
      return;
    }
    let peak = this.#peak;
    let sum = this.#sumSquares;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i] as number;
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      sum += v * v;
    }
    this.#peak = peak;
    this.#sumSquares = sum;
    this.#count += samples.length;
    if (this.#count < PUBLISH_S * samplesPerSecond) return;
    this.#floats[0] = dbfs(peak) ?? Number.NEGATIVE_INFINITY;
    this.#floats[1] = dbfs(Math.sqrt(sum / this.#count)) ?? Number.NEGATIVE_INFINITY;
    this.#floats[2] = Date.now();
    Atomics.add(this.#ints, 0, 1);
    this.#peak = 0;
    this.#sumSquares = 0;
    this.#count = 0;
  }

  /** The reader side: how many watch now (the capture measures only while > 0). */
  watch(delta: 1 | -1): void {
    Atomics.add(this.#ints, 1, delta);
  }

  /** The newest published level, or null before the first. */
  read(): LiveLevelValue | null {
    const seq = Atomics.load(this.#ints, 0);
    if (seq === 0) return null;
    const fin = (v: number) => (Number.isFinite(v) ? v : null);
    return { seq, peak_dbfs: fin(this.#floats[0] as number), rms_dbfs: fin(this.#floats[1] as number), at: this.#floats[2] as number };
  }
}

/** The process's one channel: its buffer goes to the capture Worker and to the page Worker. */
export const liveLevel = new LiveLevel();
