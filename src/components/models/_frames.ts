/**
 * @module Events in one track of per-frame scores (one label of one window), in frame indices:
 * `peaks` are local maxima at or above the threshold, thinned so that no two are closer than the
 * minimum gap (the higher one wins, as in BatDetect's non-maximum suppression); `segments` are
 * runs of frames at or above the threshold, merged across gaps no longer than the merge gap.
 * Distances are in frames here; _events.ts turns them into seconds.
 */

/** A run of frames `[first, last]` (inclusive; equal for a peak) and its highest score. */
export interface FrameSpan {
  first: number;
  last: number;
  score: number;
}

/** Allows for float error when a gap in seconds is converted to frames (3 × 4.706 ms / 4.706 ms). */
const EPSILON = 1e-6;

/**
 * Local maxima of `track` at or above `threshold`. A plateau of equal values counts once, at its
 * first frame, when both its neighbours are lower; the track's ends count as lower. Peaks closer
 * than `minGapFrames` are thinned, highest score first (earlier first on a tie).
 */
export function findPeaks(track: ArrayLike<number>, threshold: number, minGapFrames: number): FrameSpan[] {
  const candidates: FrameSpan[] = [];
  const n = track.length;
  let i = 0;
  while (i < n) {
    const v = track[i] as number;
    let j = i;
    while (j + 1 < n && track[j + 1] === v) j++;
    const left = i > 0 ? (track[i - 1] as number) : -Infinity;
    const right = j + 1 < n ? (track[j + 1] as number) : -Infinity;
    if (v >= threshold && v > left && v > right) candidates.push({ first: i, last: i, score: v });
    i = j + 1;
  }
  return suppress(candidates, minGapFrames, (e) => e.first);
}

/**
 * Keeps the highest of any events whose positions (`at`) are closer than `gap`, highest score
 * first and earlier first on a tie; returns them in time order. Works in frames or in seconds.
 */
export function suppress<T extends { score: number }>(events: readonly T[], gap: number, at: (e: T) => number): T[] {
  if (gap <= 0 || events.length < 2) return [...events].sort((a, b) => at(a) - at(b));
  const order = [...events].sort((a, b) => b.score - a.score || at(a) - at(b));
  const kept: T[] = [];
  for (const e of order) {
    if (kept.every((k) => Math.abs(at(k) - at(e)) >= gap - EPSILON)) kept.push(e);
  }
  return kept.sort((a, b) => at(a) - at(b));
}

/**
 * Runs of frames of `track` at or above `threshold`, a run joining the previous one when the
 * frames between them number at most `mergeGapFrames`. Each segment's score is its highest frame.
 */
export function findSegments(track: ArrayLike<number>, threshold: number, mergeGapFrames: number): FrameSpan[] {
  const segments: FrameSpan[] = [];
  let open: FrameSpan | null = null;
  for (let i = 0; i < track.length; i++) {
    const v = track[i] as number;
    if (v < threshold) continue;
    if (open !== null && i - open.last - 1 <= mergeGapFrames + EPSILON) {
      open.last = i;
      open.score = Math.max(open.score, v);
    } else {
      open = { first: i, last: i, score: v };
      segments.push(open);
    }
  }
  return segments;
}
