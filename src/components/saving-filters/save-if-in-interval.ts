/**
 * @module saveIfInInterval: keep a recording whose start (`created_on`) falls inside a daily
 * window read on the wall clock of the configured zone (acoupi's SaveIfInInterval, which
 * ignored its timezone and compared UTC). Inclusive bounds; start > end wraps past midnight.
 */
import { z } from "zod";
import { timeOfDay, timeZone } from "../../config/types.ts";
import { secondsOfDay, zonedClock } from "../../time/zoned-clock.ts";
import { dailyWindow, isWithinDailyWindow } from "../conditions/is-in-interval.ts";
import type { SavingFilter } from "./types.ts";

export const SaveIfInIntervalSchema = z.object({
  starttime: timeOfDay("18:00:00").describe("Keep recordings made from this time of day, HH:MM:SS local (inclusive)"),
  endtime: timeOfDay("20:00:00").describe("Keep recordings made until this time of day, HH:MM:SS local (inclusive)"),
  timezone: timeZone("Europe/London").describe("IANA time zone the window is read in"),
});
export type SaveIfInIntervalConfig = z.output<typeof SaveIfInIntervalSchema>;

export function saveIfInInterval(config: { starttime: string; endtime: string; timezone: string }): SavingFilter {
  const window = dailyWindow({ start: config.starttime, end: config.endtime }, "recording_saving");
  const clock = zonedClock(config.timezone);
  return (recording) => isWithinDailyWindow(secondsOfDay(clock(recording.created_on)), window);
}
