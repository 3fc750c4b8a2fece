/**
 * @module isInIntervals: record when the local time is inside any of several daily windows
 * (acoupi's IsInIntervals), each with isInInterval's rules. No windows never matches.
 */
import { secondsOfDay, zonedClock } from "../../time/zoned-clock.ts";
import { dailyWindow, isWithinDailyWindow } from "../../time/time-of-day.ts";
import type { RecordingCondition } from "./types.ts";

export function isInIntervals(
  intervals: readonly { start: string; end: string }[],
  timezone: string,
): RecordingCondition {
  const windows = intervals.map((interval, i) => dailyWindow(interval, `intervals.${i}`));
  const clock = zonedClock(timezone);
  return (now) => {
    const seconds = secondsOfDay(clock(now));
    return windows.some((window) => isWithinDailyWindow(seconds, window));
  };
}
