/**
 * @module saveIfInInterval: keep a recording whose start (`created_on`) falls inside a daily
 * window read on the wall clock of the configured zone (acoupi's SaveIfInInterval, which
 * ignored its timezone and compared UTC). Inclusive bounds; start > end wraps past midnight.
 */
import { secondsOfDay, zonedClock } from "../../time/zoned-clock.ts";
import { dailyWindow, isWithinDailyWindow } from "../conditions/is-in-interval.ts";
import type { SavingFilter } from "./types.ts";

export function saveIfInInterval(config: { starttime: string; endtime: string; timezone: string }): SavingFilter {
  const window = dailyWindow({ start: config.starttime, end: config.endtime }, "recording_saving");
  const clock = zonedClock(config.timezone);
  return (recording) => isWithinDailyWindow(secondsOfDay(clock(recording.created_on)), window);
}
