/**
 * @module isInInterval: record only inside a daily time window, read on the wall clock of the
 * configured time zone (acoupi's IsInInterval). Bounds are inclusive; a window whose start is
 * after its end wraps past midnight (22:00–04:00), and start equal to end means all day.
 */
import { z } from "zod";
import { timeOfDay, timeZone } from "../../config/types.ts";
import { dailyWindow, isWithinDailyWindow } from "../../time/time-of-day.ts";
import { secondsOfDay, zonedClock } from "../../time/zoned-clock.ts";

export { dailyWindow, isWithinDailyWindow, type DailyWindow } from "../../time/time-of-day.ts";
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

export function isInInterval(config: { start: string; end: string; timezone: string }): RecordingCondition {
  const window = dailyWindow(config);
  const clock = zonedClock(config.timezone);
  return (now) => isWithinDailyWindow(secondsOfDay(clock(now)), window);
}
