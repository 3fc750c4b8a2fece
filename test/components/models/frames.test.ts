/**
 * @module The pure parts of sound-event models: peaks and segments in one track of frame
 * scores (_frames.ts), and events placed, owned and merged across overlapping windows
 * (_events.ts).
 */
import { describe, expect, test } from "bun:test";
import { eventDetections, mergeWindows, ownedPeaks, ownership, windowEvents, type EventRules } from "../../../src/components/models/_events.ts";
import { findPeaks, findSegments, suppress } from "../../../src/components/models/_frames.ts";
import { DetectionSchema } from "../../../src/data/index.ts";

const frames = (peaks: ReturnType<typeof findPeaks>) => peaks.map((p) => [p.first, p.last, Number(p.score.toFixed(2))]);

describe("findPeaks", () => {
  test("findPeaks returns the local maxima at or above the threshold, the ends counting as lower", () => {
    const track = [0.9, 0.2, 0.6, 0.3, 0.5, 0.5, 0.1, 0.4, 0.45];
    expect(frames(findPeaks(track, 0.5, 0))).toEqual([
      [0, 0, 0.9],
      [2, 2, 0.6],
      // A plateau of equal values counts once, at its first frame.
      [4, 4, 0.5],
    ]);
  });

  test("findPeaks does not count a plateau on a rising slope, nor one below the threshold", () => {
    expect(frames(findPeaks([0.1, 0.7, 0.7, 0.9, 0.2], 0.5, 0))).toEqual([[3, 3, 0.9]]);
    expect(frames(findPeaks([0.1, 0.4, 0.1], 0.5, 0))).toEqual([]);
  });

  test("findPeaks keeps the higher of two peaks closer than the minimum gap and both when they are exactly that far apart", () => {
    const track = [0, 0.8, 0, 0.9, 0, 0, 0.7, 0];
    // 1 and 3 are 2 frames apart: with a gap of 3 frames only 3 (0.9) stays; 6 is 3 from 3.
    expect(frames(findPeaks(track, 0.5, 3))).toEqual([
      [3, 3, 0.9],
      [6, 6, 0.7],
    ]);
    expect(frames(findPeaks(track, 0.5, 2))).toEqual([
      [1, 1, 0.8],
      [3, 3, 0.9],
      [6, 6, 0.7],
    ]);
  });

  test("suppress keeps the earlier of two equal scores and returns events in time order", () => {
    const kept = suppress([{ at: 5, score: 0.5 }, { at: 4, score: 0.5 }, { at: 1, score: 0.2 }], 2, (e) => e.at);
    expect(kept).toEqual([{ at: 1, score: 0.2 }, { at: 4, score: 0.5 }]);
  });
});

describe("findSegments", () => {
  test("findSegments returns runs at or above the threshold with their highest score", () => {
    expect(frames(findSegments([0.6, 0.7, 0.2, 0.2, 0.2, 0.9, 0.5, 0.1], 0.5, 0))).toEqual([
      [0, 1, 0.7],
      [5, 6, 0.9],
    ]);
  });

  test("findSegments merges runs separated by at most the merge gap, and no more", () => {
    const track = [0.6, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.7];
    expect(frames(findSegments(track, 0.5, 2))).toEqual([
      [0, 3, 0.8],
      [7, 7, 0.7],
    ]);
    expect(frames(findSegments(track, 0.5, 3))).toEqual([[0, 7, 0.8]]);
    expect(frames(findSegments(track, 0.5, 1))).toEqual([
      [0, 0, 0.6],
      [3, 3, 0.8],
      [7, 7, 0.7],
    ]);
  });
});

const PEAKS: EventRules = { mode: "peaks", threshold: 0.5, step: 0.01, minGap: 0.03, mergeGap: 0 };

describe("events across windows", () => {
  test("windowEvents places frame events in the recording by the window start and the frame step, per label", () => {
    // 4 frames × 2 labels, frame-major.
    const scores = Float32Array.of(0.1, 0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.6);
    const events = windowEvents(scores, 4, 2, 2, PEAKS).map((e) => ({ ...e, start: Number(e.start.toFixed(6)), end: Number(e.end.toFixed(6)), score: Number(e.score.toFixed(2)) }));
    expect(events).toEqual([
      { label: 0, start: 2.01, end: 2.02, score: 0.8 },
      { label: 1, start: 2, end: 2.01, score: 0.9 },
      { label: 1, start: 2.03, end: 2.04, score: 0.6 },
    ]);
  });

  test("ownership splits each overlap of two windows at its middle", () => {
    expect(ownership([0, 0.377, 0.754], 0.4)).toEqual([
      { from: -Infinity, to: (0.377 + 0.4) / 2 },
      { from: (0.377 + 0.4) / 2, to: (0.754 + 0.777) / 2 },
      { from: (0.754 + 0.777) / 2, to: Infinity },
    ]);
  });

  test("a peak seen by two overlapping windows is reported once, from the window that owns it", () => {
    const own = ownership([0, 0.377], 0.4);
    const fromFirst = ownedPeaks([{ label: 0, start: 0.395, end: 0.4, score: 0.99 }], own[0] as { from: number; to: number });
    const fromSecond = ownedPeaks([{ label: 0, start: 0.396, end: 0.401, score: 0.9 }], own[1] as { from: number; to: number });
    expect(fromFirst).toEqual([]);
    expect(mergeWindows([...fromFirst, ...fromSecond], PEAKS, 1)).toEqual([{ label: 0, start: 0.396, end: 0.401, score: 0.9 }]);
  });

  test("mergeWindows keeps the higher of two peaks of one label closer than the minimum gap, but not across labels", () => {
    const events = [
      { label: 0, start: 0.1, end: 0.11, score: 0.7 },
      { label: 0, start: 0.12, end: 0.13, score: 0.8 },
      { label: 1, start: 0.1, end: 0.11, score: 0.6 },
    ];
    expect(mergeWindows(events, PEAKS, 1)).toEqual([
      { label: 1, start: 0.1, end: 0.11, score: 0.6 },
      { label: 0, start: 0.12, end: 0.13, score: 0.8 },
    ]);
  });

  test("mergeWindows joins segments that overlap or lie within the merge gap, and clips to the recording", () => {
    const rules: EventRules = { ...PEAKS, mode: "segments", mergeGap: 0.05 };
    const events = [
      { label: 0, start: 0.3, end: 0.4, score: 0.6 },
      { label: 0, start: 0.38, end: 0.5, score: 0.9 },
      { label: 0, start: 0.55, end: 0.6, score: 0.7 },
      { label: 0, start: 0.7, end: 0.8, score: 0.7 },
      { label: 0, start: 0.95, end: 1.2, score: 0.8 },
      { label: 0, start: 1.0, end: 1.1, score: 0.99 },
    ];
    expect(mergeWindows(events, rules, 1)).toEqual([
      { label: 0, start: 0.3, end: 0.6, score: 0.9 },
      { label: 0, start: 0.7, end: 0.8, score: 0.7 },
      { label: 0, start: 0.95, end: 1, score: 0.8 },
    ]);
  });

  test("eventDetections gives an event per peak and a sequence per segment, over the given band", () => {
    const events = [{ label: 1, start: 0.1, end: 0.2, score: 0.7 }];
    const [peak] = eventDetections(events, "peaks", ["a", "bat"], "species", { lowFreq: 0, highFreq: 128000 });
    const [segment] = eventDetections(events, "segments", ["a", "bat"], "species", { lowFreq: 0, highFreq: 128000 });
    expect(() => DetectionSchema.parse(peak)).not.toThrow();
    expect(peak?.prediction_type).toBe("event");
    expect(segment?.prediction_type).toBe("sequence");
    expect(peak?.location?.coordinates).toEqual([0.1, 0, 0.2, 128000]);
    expect(peak?.tags).toEqual([{ tag: { key: "species", value: "bat" }, confidence_score: 0.7 }]);
  });
});
