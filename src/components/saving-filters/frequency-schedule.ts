/**
 * @module frequencySchedule: keep the recordings of the first `duration` minutes of every
 * `frequency` minutes of the hour, e.g. 5 of every 30 keeps :00–:05 and :30–:35 (acoupi's
 * FrequencySchedule: `minute % frequency + second / 60 < duration`). The minute is read in the
 * configured zone (acoupi read UTC; it differs only in zones offset by a part of an hour).
 */
import { ConfigError } from "../../errors.ts";
import { zonedClock } from "../../time/zoned-clock.ts";
import type { SavingFilter } from "./types.ts";

export function frequencySchedule(config: { duration: number; frequency: number; timezone?: string }): SavingFilter {
  const { duration, frequency } = config;
  if (!(frequency > 0) || !(duration >= 0)) {
    throw new ConfigError(`Frequency schedule needs a period above 0 and a duration of 0 or more, got ${duration} of every ${frequency} minutes`, {
      key: "recording_saving.frequency_interval",
      help: "Set frequency_interval to the period in minutes (e.g. 30) and frequency_duration to the minutes kept (e.g. 5)",
    });
  }
  const clock = zonedClock(config.timezone ?? "UTC");
  return (recording) => {
    const wall = clock(recording.created_on);
    return (wall.minute % frequency) + (wall.second + wall.millisecond / 1000) / 60 < duration;
  };
}
