/**
 * @module Civil twilight: civil dawn and dusk (sun 6° below the horizon, via suncalc) at a
 * latitude/longitude for a local calendar date, and whether an instant falls in a window around
 * them. acoupi 0.6 used astral's default location (Greenwich) for every deployment; here the
 * coordinates are explicit. Polar day and polar night have no civil dawn or dusk: those events
 * are null, never thrown.
 */
import { getTimes } from "suncalc";
import { addDays, zonedClock, type LocalDate, type WallTime } from "./zoned-clock.ts";

export type TwilightEvent = "dawn" | "dusk" | "both";

export interface CivilTwilight {
  /** Civil dawn, or null when the sun never rises to 6° below the horizon (polar night, or day). */
  dawn: Date | null;
  dusk: Date | null;
}

/** The instant of 12:00 on `date` in the zone `clock` reads. */
function localNoon(date: LocalDate, clock: (instant: Date) => WallTime): Date {
  const guess = Date.UTC(date.year, date.month - 1, date.day, 12);
  const wall = clock(new Date(guess));
  const offset = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - guess;
  return new Date(guess - offset);
}

function validDate(value: Date | null | undefined): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

/** Civil dawn and dusk of the local calendar `date` in the zone `clock` reads. */
export function civilTwilightOn(
  date: LocalDate,
  latitude: number,
  longitude: number,
  clock: (instant: Date) => WallTime,
): CivilTwilight {
  // suncalc answers for the solar day nearest the instant given; local noon picks the right one.
  const times = getTimes(localNoon(date, clock), latitude, longitude);
  return { dawn: validDate(times.dawn), dusk: validDate(times.dusk) };
}

/** Civil dawn and dusk of the local date `date` in `timeZone` (IANA). */
export function civilTwilight(date: LocalDate, latitude: number, longitude: number, timeZone: string): CivilTwilight {
  return civilTwilightOn(date, latitude, longitude, zonedClock(timeZone));
}

export interface TwilightWindow {
  latitude: number;
  longitude: number;
  /** Milliseconds before the event that the window opens. */
  beforeMs: number;
  /** Milliseconds after the event that the window closes. */
  afterMs: number;
  event: TwilightEvent;
}

/**
 * True when `instant` is within [event − before, event + after] (inclusive) for civil dawn or
 * dusk of the instant's local date or of the dates either side, so a window crossing local
 * midnight still matches. False, never an exception, when the events do not happen (polar).
 */
export function isNearTwilight(instant: Date, window: TwilightWindow, clock: (instant: Date) => WallTime): boolean {
  const t = instant.getTime();
  const wall = clock(instant);
  for (const offset of [-1, 0, 1]) {
    const day = civilTwilightOn(addDays(wall, offset), window.latitude, window.longitude, clock);
    const events = window.event === "dawn" ? [day.dawn] : window.event === "dusk" ? [day.dusk] : [day.dawn, day.dusk];
    for (const event of events) {
      if (event === null) continue;
      const at = event.getTime();
      if (t >= at - window.beforeMs && t <= at + window.afterMs) return true;
    }
  }
  return false;
}
