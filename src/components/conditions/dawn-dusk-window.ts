/**
 * @module dawnDuskWindow: record around civil dawn and/or dusk at the deployment's latitude and
 * longitude (acoupi's DawnTimeInterval used Greenwich for everyone). The window runs from
 * `before_minutes` before the event to `after_minutes` after it, inclusive, and may cross local
 * midnight. Where there is no civil dawn or dusk that day (polar day or night) it is false.
 */
import { ConfigError } from "../../errors.ts";
import { isNearTwilight, type TwilightEvent } from "../../time/twilight.ts";
import { zonedClock } from "../../time/zoned-clock.ts";
import type { RecordingCondition } from "./types.ts";

export interface DawnDuskWindowOptions {
  before_minutes: number;
  after_minutes: number;
  latitude: number;
  longitude: number;
  timezone: string;
  event?: TwilightEvent;
}

export function dawnDuskWindow(config: DawnDuskWindowOptions): RecordingCondition {
  const { before_minutes, after_minutes, latitude, longitude } = config;
  if (!(before_minutes >= 0) || !(after_minutes >= 0)) {
    throw new ConfigError(`Dawn/dusk window minutes must be 0 or more, got before ${before_minutes} and after ${after_minutes}`, {
      help: "Set before_minutes and after_minutes to a number of minutes such as 30",
    });
  }
  if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180)) {
    throw new ConfigError(`Coordinates ${latitude}, ${longitude} are outside the Earth`, {
      help: "Give the latitude in -90..90 and the longitude in -180..180 degrees",
    });
  }
  const clock = zonedClock(config.timezone);
  const window = {
    latitude,
    longitude,
    beforeMs: before_minutes * 60_000,
    afterMs: after_minutes * 60_000,
    event: config.event ?? "both",
  };
  return (now) => isNearTwilight(now, window, clock);
}
