/**
 * @module isInIntervals: record when the local time is inside any of several daily windows
 * (acoupi's IsInIntervals), each with isInInterval's rules. No windows never matches.
 */
import { z } from "zod";
import { timeZone } from "../../config/types.ts";
import { secondsOfDay, zonedClock } from "../../time/zoned-clock.ts";
import { dailyWindow, isWithinDailyWindow, TimeIntervalSchema } from "./is-in-interval.ts";
import type { RecordingCondition } from "./types.ts";

export const IsInIntervalsSchema = z.object({
  intervals: z.array(TimeIntervalSchema).default([]).describe("Daily windows to record in; any one is enough"),
  timezone: timeZone("Europe/London").describe("IANA time zone the windows are read in"),
});
export type IsInIntervalsConfig = z.output<typeof IsInIntervalsSchema>;

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
