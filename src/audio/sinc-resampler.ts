/**
 * @module A polyphase windowed-sinc resampler of our own, for every pair of rates (libsamplerate,
 * which the project used before, refuses rates over 192 kHz, and bat audio runs at 256–500 kHz).
 * The ratio is reduced to L/M; output sample k sits at input time k·M/L, and is the input
 * convolved with a Kaiser-windowed sinc low-pass whose stopband starts at the lower of the two
 * Nyquist frequencies, so content above the new Nyquist is removed rather than folded back. The
 * filter is tabulated once per phase (L phases, or a denser-than-needed grid with linear
 * interpolation when L is too large to tabulate), and each phase is normalised to unit DC gain.
 * Output length is exact: `ceil(n·L/M)`, every output instant that falls inside the input.
 */

/** What the filter aims at; "medium" is the default. */
export interface SincDesign {
  /** The passband edge as a fraction of the lower Nyquist frequency (content below it is kept). */
  passband: number;
  /** Stopband attenuation in dB (at and above the lower Nyquist frequency). */
  attenuationDb: number;
}

export const SINC_DESIGNS = {
  best: { passband: 0.95, attenuationDb: 120 },
  medium: { passband: 0.9, attenuationDb: 100 },
  fastest: { passband: 0.8, attenuationDb: 80 },
} as const satisfies Record<string, SincDesign>;

/** Coefficients tabulated at most (phases × taps); beyond it the grid is interpolated. */
const MAX_TABLE = 1 << 21;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's β for a stopband attenuation in dB. */
function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

/** The filter for one rate pair, ready to apply to any number of signals. */
export interface SincPlan {
  up: number;
  down: number;
  /** Taps on each side of the output instant, in input samples. */
  half: number;
  /** Phases tabulated per input sample. */
  density: number;
  /** Whether phases between grid points are interpolated (density < up). */
  interpolated: boolean;
  /** `(density + 1) × 2·half` coefficients; row p is the filter for fractional offset p / density. */
  table: Float32Array;
}

/**
 * Plans the conversion from `fromRate` to `toRate` (positive integers). By default the passband
 * ends at `design.passband` × the lower Nyquist frequency and the stopband starts there; `edges`
 * (in Hz) overrides both, for the first stage of a two-stage decimation.
 */
export function planSinc(fromRate: number, toRate: number, design: SincDesign = SINC_DESIGNS.medium, edges?: { passHz: number; stopHz: number }): SincPlan {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new RangeError(`Cannot resample from ${fromRate} Hz to ${toRate} Hz: rates must be positive integers`);
  }
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const ratio = Math.min(1, toRate / fromRate);
  // In cycles per input sample: the lower Nyquist is ratio / 2; the transition ends there.
  const stop = edges === undefined ? ratio / 2 : edges.stopHz / fromRate;
  const pass = edges === undefined ? stop * design.passband : edges.passHz / fromRate;
  const cutoff = (pass + stop) / 2;
  const transition = stop - pass;
  // Kaiser's estimate of the length for this attenuation and transition width.
  const taps = Math.ceil((design.attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transition)) + 1;
  const half = Math.max(2, Math.ceil(taps / 2));
  const width = 2 * half;
  const interpolated = up * width > MAX_TABLE;
  const density = interpolated ? Math.max(64, Math.floor(MAX_TABLE / width)) : up;
  const beta = kaiserBeta(design.attenuationDb);
  const i0Beta = besselI0(beta);
  const rows = density + 1;
  const table = new Float32Array(rows * width);
  for (let p = 0; p < rows; p++) {
    const frac = p / density;
    let sum = 0;
    for (let j = 0; j < width; j++) {
      // Tap j multiplies input sample base + j − half + 1, at distance frac − (j − half + 1).
      const tau = frac - (j - half + 1);
      const u = tau / half;
      const window = Math.abs(u) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta;
      const x = 2 * cutoff * tau;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const h = 2 * cutoff * sinc * window;
      table[p * width + j] = h;
      sum += h;
    }
    for (let j = 0; j < width; j++) table[p * width + j] = (table[p * width + j] as number) / sum;
  }
  return { up, down, half, density, interpolated, table };
}

/** The number of output samples for `n` input samples: every output instant inside the input. */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  // ceil(n·up/down) without losing precision: n·up stays below 2^53 for any recording we read.
  return Math.floor((n * up + down - 1) / down);
}

/** Applies a plan to mono samples; returns a new array of `resampledLength` samples. */
export function applySinc(plan: SincPlan, input: Float32Array): Float32Array {
  const { up, down, half, density, interpolated, table } = plan;
  const n = input.length;
  const width = 2 * half;
  const out = new Float32Array(Math.floor((n * up + down - 1) / down));
  for (let k = 0; k < out.length; k++) {
    const num = k * down;
    const base = Math.floor(num / up);
    const phase = num - base * up;
    const first = base - half + 1;
    const jStart = first < 0 ? -first : 0;
    const jEnd = first + width > n ? n - first : width;
    let acc = 0;
    if (!interpolated) {
      const row = phase * width;
      for (let j = jStart; j < jEnd; j++) acc += (input[first + j] as number) * (table[row + j] as number);
    } else {
      const position = (phase / up) * density;
      const p = Math.floor(position);
      const t = position - p;
      const rowA = p * width;
      const rowB = rowA + width;
      for (let j = jStart; j < jEnd; j++) {
        const a = table[rowA + j] as number;
        acc += (input[first + j] as number) * (a + t * ((table[rowB + j] as number) - a));
      }
    }
    out[k] = acc;
  }
  return out;
}
