/**
 * @module The shared body of beforeDawnDusk and afterDawnDusk: a recording is kept when its
 * start falls within `duration` minutes on one side of civil dawn or dusk. The coordinates come
 * from the config, or else from the recording's deployment; with neither it is never kept.
 */
import { ConfigError } from "../../errors.ts";
import { isNearTwilight } from "../../time/twilight.ts";
import { zonedClock } from "../../time/zoned-clock.ts";
import type { SavingFilter } from "./types.ts";

export interface DawnDuskFilterOptions {
  duration: number;
  latitude?: number | null;
  longitude?: number | null;
  timezone: string;
}

export function twilightFilter(config: DawnDuskFilterOptions, side: "before" | "after"): SavingFilter {
  if (!(config.duration >= 0)) {
    throw new ConfigError(`Dawn/dusk saving duration must be 0 or more minutes, got ${config.duration}`, {
      key: `recording_saving.${side}_dawndusk_duration`,
      help: "Set it to a number of minutes such as 10, or 0 to turn the filter off",
    });
  }
  const clock = zonedClock(config.timezone);
  const ms = config.duration * 60_000;
  return (recording) => {
    const latitude = config.latitude ?? recording.deployment.latitude;
    const longitude = config.longitude ?? recording.deployment.longitude;
    if (latitude === null || latitude === undefined || longitude === null || longitude === undefined) return false;
    const window = { latitude, longitude, event: "both" as const, beforeMs: side === "before" ? ms : 0, afterMs: side === "after" ? ms : 0 };
    return isNearTwilight(recording.created_on, window, clock);
  };
}
