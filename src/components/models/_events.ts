/**
 * @module Timed events from a sound-event model's per-frame scores, over a whole recording. Each
 * window's scores (frames × labels, frame-major) give events in frames (_frames.ts), placed in
 * the recording by the window's start and the frame step. Windows overlap by window − hop, so a
 * call near a window's end is seen twice; each is reported once:
 *   - peaks: a window keeps the peaks whose frame centre lies in the part of the window it owns
 *     (its overlap with a neighbour is split at the middle, so a call cut by a window's edge is
 *     taken from the window that holds it whole), then, over the whole recording, of two peaks of
 *     one label closer than max(frame step, min_gap) the higher is kept;
 *   - segments: segments of one label that overlap, or lie at most merge_gap apart, become one
 *     (their union, with the higher score).
 * Events are clipped to the recording (the last window is zero-padded) and become Detections:
 * an `event` per peak (one call, boxed by its frame) and a `sequence` per segment.
 */
import { boundingBox, type Detection, type PredictionType } from "../../data/index.ts";
import { findPeaks, findSegments, suppress } from "./_frames.ts";

export type FrameMode = "peaks" | "segments";

export interface EventRules {
  mode: FrameMode;
  threshold: number;
  /** Seconds per frame. */
  step: number;
  /** Seconds: the smallest distance between two peaks. */
  minGap: number;
  /** Seconds: the largest gap merged inside one segment. */
  mergeGap: number;
}

/** One event, in seconds from the start of the recording. */
export interface TimedEvent {
  label: number;
  start: number;
  end: number;
  score: number;
}

/** The part of each window (seconds) that reports its peaks: overlaps split at their middle. */
export function ownership(starts: readonly number[], window: number): Array<{ from: number; to: number }> {
  return starts.map((start, w) => ({
    from: w === 0 ? -Infinity : (start + (starts[w - 1] as number) + window) / 2,
    to: w === starts.length - 1 ? Infinity : ((starts[w + 1] as number) + start + window) / 2,
  }));
}

/**
 * The events of one window whose scores are `scores` (`frames` × `labels`, frame-major, already
 * activated), the window starting `start` seconds into the recording.
 */
export function windowEvents(scores: Float32Array, frames: number, labels: number, start: number, rules: EventRules): TimedEvent[] {
  const events: TimedEvent[] = [];
  const track = new Float32Array(frames);
  const stepFrames = (seconds: number) => seconds / rules.step;
  for (let label = 0; label < labels; label++) {
    for (let f = 0; f < frames; f++) track[f] = scores[f * labels + label] as number;
    const spans =
      rules.mode === "peaks" ? findPeaks(track, rules.threshold, stepFrames(rules.minGap)) : findSegments(track, rules.threshold, stepFrames(rules.mergeGap));
    for (const s of spans) {
      events.push({ label, start: start + s.first * rules.step, end: start + (s.last + 1) * rules.step, score: s.score });
    }
  }
  return events;
}

/** Keeps the peaks whose frame centre lies in `own`. */
export function ownedPeaks(events: readonly TimedEvent[], own: { from: number; to: number }): TimedEvent[] {
  return events.filter((e) => {
    const centre = (e.start + e.end) / 2;
    return centre >= own.from && centre < own.to;
  });
}

/** Merges the events of all windows so that each is reported once; in time order. */
export function mergeWindows(events: readonly TimedEvent[], rules: EventRules, duration: number): TimedEvent[] {
  const byLabel = new Map<number, TimedEvent[]>();
  for (const e of events) {
    if (e.start >= duration) continue;
    const clipped = { ...e, end: Math.min(e.end, duration) };
    byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), clipped]);
  }
  const merged: TimedEvent[] = [];
  for (const list of byLabel.values()) {
    if (rules.mode === "peaks") {
      merged.push(...suppress(list, Math.max(rules.step, rules.minGap), (e) => e.start));
      continue;
    }
    const sorted = [...list].sort((a, b) => a.start - b.start);
    let open: TimedEvent | null = null;
    for (const e of sorted) {
      if (open !== null && e.start <= open.end + rules.mergeGap + 1e-9) {
        open.end = Math.max(open.end, e.end);
        open.score = Math.max(open.score, e.score);
      } else {
        open = { ...e };
        merged.push(open);
      }
    }
  }
  return merged.sort((a, b) => a.start - b.start || a.label - b.label);
}

/** One Detection per event, over the band [lowFreq, highFreq] Hz. */
export function eventDetections(
  events: readonly TimedEvent[],
  mode: FrameMode,
  labels: readonly string[],
  tagKey: string,
  band: { lowFreq: number; highFreq: number },
): Detection[] {
  const type: PredictionType = mode === "peaks" ? "event" : "sequence";
  return events.map((e) => ({
    id: crypto.randomUUID(),
    prediction_type: type,
    location: boundingBox(e.start, band.lowFreq, e.end, band.highFreq),
    detection_score: e.score,
    tags: [{ tag: { key: tagKey, value: labels[e.label] as string }, confidence_score: e.score }],
  }));
}
