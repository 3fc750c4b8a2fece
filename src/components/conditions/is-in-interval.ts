/**
 * @module isInInterval: record only inside a daily time window, read on the wall clock of the
 * configured time zone (acoupi's IsInInterval). Bounds are inclusive; a window whose start is
 * after its end wraps past midnight (22:00–04:00), and start equal to end means all day.
 */
import { dailyWindow, isWithinDailyWindow } from "../../time/time-of-day.ts";
import { secondsOfDay, zonedClock } from "../../time/zoned-clock.ts";

export { dailyWindow, isWithinDailyWindow, type DailyWindow } from "../../time/time-of-day.ts";
import type { RecordingCondition } from "./types.ts";

export function isInInterval(config: { start: string; end: string; timezone: string }): RecordingCondition {
  const window = dailyWindow(config);
  const clock = zonedClock(config.timezone);
  return (now) => isWithinDailyWindow(secondsOfDay(clock(now)), window);
}
