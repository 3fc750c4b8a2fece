/**
 * @module isInInterval: record only inside a daily time window, read on the wall clock of the
 * configured time zone (acoupi's IsInInterval). Bounds are inclusive; a window whose start is
 * after its end wraps past midnight (22:00–04:00), and start equal to end means all day.
 */
import { z } from "zod";
import { parseTimeOfDay, timeOfDay, timeZone } from "../../config/types.ts";
import { ConfigError } from "../../errors.ts";
import { secondsOfDay, zonedClock } from "../../audio/sun.ts";
import type { RecordingCondition } from "./types.ts";

export const TimeIntervalSchema = z.object({
  start: timeOfDay("00:00:00").describe("Start of the daily window, HH:MM:SS local time (inclusive)"),
  end: timeOfDay("23:59:59").describe("End of the daily window, HH:MM:SS local time (inclusive); before start wraps past midnight"),
});
export type TimeInterval = z.output<typeof TimeIntervalSchema>;

export const IsInIntervalSchema = TimeIntervalSchema.extend({
  timezone: timeZone("Europe/London").describe("IANA time zone the window is read in"),
});
export type IsInIntervalConfig = z.output<typeof IsInIntervalSchema>;

/** A daily window as seconds since midnight. */
export interface DailyWindow {
  start: number;
  end: number;
}

/** Parses a `{start, end}` pair of times of day; throws ConfigError naming the bad value. */
export function dailyWindow(interval: { start: string; end: string }, key = "interval"): DailyWindow {
  const start = parseTimeOfDay(interval.start);
  const end = parseTimeOfDay(interval.end);
  if (start === null || end === null) {
    const bad = start === null ? interval.start : interval.end;
    throw new ConfigError(`Invalid time of day "${bad}" in ${key}`, { key, help: "Write times as HH:MM or HH:MM:SS, e.g. 06:00:00" });
  }
  return { start, end };
}

/** True when `seconds` since midnight is inside `window` (inclusive, wrapping when start > end). */
export function isWithinDailyWindow(seconds: number, window: DailyWindow): boolean {
  if (window.start === window.end) return true;
  if (window.start > window.end) return seconds >= window.start || seconds <= window.end;
  return seconds >= window.start && seconds <= window.end;
}

export function isInInterval(config: { start: string; end: string; timezone: string }): RecordingCondition {
  const window = dailyWindow(config);
  const clock = zonedClock(config.timezone);
  return (now) => isWithinDailyWindow(secondsOfDay(clock(now)), window);
}
