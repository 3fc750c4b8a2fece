/**
 * @module Energy events in a frequency band, the way an AudioMoth's frequency trigger sees them:
 * the short-time spectrum (about 1 ms Hann frames, half overlapping), the power in the band per
 * frame, and the recording's own background as the median of that power. A run of frames at least
 * `thresholdDb` above the background, lasting at least `minDuration` seconds, is one event. Each
 * event's band is the span of bins, inside the trigger band, whose loudest frame in the event is
 * `thresholdDb` above that bin's own median and within 20 dB of the event's loudest bin (a -20 dB
 * bandwidth); an event too diffuse for any single bin to stand out keeps the whole trigger band. Pure: samples in, events out, times in seconds and frequencies in
 * hertz of the real (not time-expanded) signal.
 */
import { spectrogram } from "./spectrogram.ts";

export interface BandTrigger {
  /** Lower and upper edge of the band, in Hz (the upper edge is clipped to Nyquist). */
  fmin: number;
  fmax: number;
  /** Decibels above the background a frame's band power must reach. */
  thresholdDb: number;
  /** The shortest event kept, in seconds. */
  minDuration: number;
}

export interface BandEvent {
  /** Seconds from the start of the signal. */
  start: number;
  end: number;
  /** The event's own band, in Hz. */
  low: number;
  high: number;
  /** The loudest frame's band power above the background, in dB. */
  excessDb: number;
}

/**
 * The background never counts as quieter than this (dBFS of band power): digital silence (a
 * fake microphone's end of file, a muted input) must not turn the faintest hiss into events.
 */
export const BACKGROUND_FLOOR_DB = -100;

/** An event's band is where its spectrum comes within this many dB of its loudest bin (a -20 dB bandwidth). */
export const BANDWIDTH_DB = 20;

/** The FFT length giving frames of about 1 ms at `samplerate` (a power of two, at least 64). */
export function frameSize(samplerate: number): number {
  return Math.max(64, 2 ** Math.round(Math.log2(samplerate / 1000)));
}

function median(values: Float64Array | Float32Array): number {
  if (values.length === 0) return -Infinity;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function bandEvents(samples: Float32Array, samplerate: number, trigger: BandTrigger): BandEvent[] {
  const fftSize = frameSize(samplerate);
  const hop = fftSize / 2;
  if (samples.length < fftSize) return [];
  const columns = Math.floor(samples.length / hop);
  const { bins, db } = spectrogram(samples, { columns, fftSize });
  const binHz = samplerate / fftSize;
  const first = Math.max(1, Math.ceil(trigger.fmin / binHz));
  const last = Math.min(bins - 1, Math.floor(Math.min(trigger.fmax, samplerate / 2) / binHz));
  if (last < first) return [];

  const bandDb = new Float64Array(columns);
  for (let c = 0; c < columns; c++) {
    let power = 0;
    for (let k = first; k <= last; k++) power += 10 ** ((db[c * bins + k] as number) / 10);
    bandDb[c] = power > 0 ? 10 * Math.log10(power) : -Infinity;
  }
  const background = Math.max(BACKGROUND_FLOOR_DB, median(bandDb));
  const level = background + trigger.thresholdDb;
  const seconds = (c: number) => (((c + 0.5) / columns) * samples.length) / samplerate;
  const halfFrame = hop / samplerate;

  const events: BandEvent[] = [];
  let floors: Float64Array | null = null;
  let c = 0;
  while (c < columns) {
    if ((bandDb[c] as number) < level) {
      c++;
      continue;
    }
    const from = c;
    while (c < columns && (bandDb[c] as number) >= level) c++;
    const to = c - 1;
    const start = Math.max(0, seconds(from) - halfFrame);
    const end = Math.min(samples.length / samplerate, seconds(to) + halfFrame);
    if (end - start + 1e-9 < trigger.minDuration) continue;
    let peak = -Infinity;
    for (let k = from; k <= to; k++) peak = Math.max(peak, bandDb[k] as number);
    floors ??= binFloors(db, bins, columns, first, last);
    events.push({ start, end, ...eventBand(db, bins, floors, from, to, first, trigger, binHz), excessDb: peak - background });
  }
  return events;
}

/** Each band bin's background: its median over the recording, in dB (index 0 is bin `first`). */
function binFloors(db: Float32Array, bins: number, columns: number, first: number, last: number): Float64Array {
  const floors = new Float64Array(last - first + 1);
  const column = new Float32Array(columns);
  for (let k = first; k <= last; k++) {
    for (let c = 0; c < columns; c++) column[c] = db[c * bins + k] as number;
    floors[k - first] = Math.max(BACKGROUND_FLOOR_DB, median(column));
  }
  return floors;
}

/** The bins of the band where the event's loudest frame stands `thresholdDb` above the bin's background. */
function eventBand(
  db: Float32Array,
  bins: number,
  floors: Float64Array,
  from: number,
  to: number,
  first: number,
  trigger: BandTrigger,
  binHz: number,
): { low: number; high: number } {
  const bandTop = Math.min(trigger.fmax, bins * binHz);
  const loudest = new Float64Array(floors.length).fill(-Infinity);
  let peak = -Infinity;
  for (let i = 0; i < floors.length; i++) {
    for (let c = from; c <= to; c++) loudest[i] = Math.max(loudest[i] as number, db[c * bins + first + i] as number);
    peak = Math.max(peak, loudest[i] as number);
  }
  let lowBin = -1;
  let highBin = -1;
  for (let i = 0; i < floors.length; i++) {
    const v = loudest[i] as number;
    if (v < (floors[i] as number) + trigger.thresholdDb || v < peak - BANDWIDTH_DB) continue;
    if (lowBin < 0) lowBin = first + i;
    highBin = first + i;
  }
  if (lowBin < 0) return { low: trigger.fmin, high: bandTop };
  return { low: Math.max(trigger.fmin, (lowBin - 0.5) * binHz), high: Math.min(bandTop, (highBin + 0.5) * binHz) };
}
