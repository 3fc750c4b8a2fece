/**
 * @module Local wall time and civil twilight. `zonedClock(timeZone)` reads the wall time of an
 * instant in an IANA zone through Intl (no time-zone library); `civilTwilight` gives civil dawn
 * and dusk (sun 6° below the horizon, via suncalc) at a latitude/longitude for a local calendar
 * date; `isNearTwilight` says whether an instant falls in a window around them. acoupi 0.6 used
 * astral's default location (Greenwich) for every deployment; here the coordinates are explicit.
 * Polar day and polar night have no civil dawn or dusk: those events are null, never thrown.
 */
import { getTimes } from "suncalc";
import { ConfigError } from "../errors.ts";
import { isValidTimeZone } from "../config/types.ts";

/** A wall-clock reading in some zone; month and day are 1-based. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** A calendar date in some zone; month and day are 1-based. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export type TwilightEvent = "dawn" | "dusk" | "both";

export interface CivilTwilight {
  /** Civil dawn, or null when the sun never rises to 6° below the horizon (polar night, or day). */
  dawn: Date | null;
  dusk: Date | null;
}

/** Throws a ConfigError naming the zone when it is not a valid IANA name. */
export function assertTimeZone(timeZone: string, key = "timezone"): void {
  if (!isValidTimeZone(timeZone)) {
    throw new ConfigError(`Unknown time zone "${timeZone}"`, {
      key,
      help: "Use an IANA zone name such as Europe/London (see `timedatectl list-timezones`)",
    });
  }
}

/** Returns a function reading the wall time of an instant in `timeZone`. */
export function zonedClock(timeZone: string): (instant: Date) => WallTime {
  assertTimeZone(timeZone);
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  return (instant) => {
    const wall: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
    for (const part of format.formatToParts(instant)) {
      if (part.type === "year" || part.type === "month" || part.type === "day" || part.type === "hour" || part.type === "minute" || part.type === "second") {
        wall[part.type] = Number(part.value);
      }
    }
    // Zone offsets are whole seconds, so the sub-second part is the same everywhere.
    wall.millisecond = ((instant.getTime() % 1000) + 1000) % 1000;
    return wall;
  };
}

/** Seconds since local midnight, with the fraction of a second. */
export function secondsOfDay(wall: WallTime): number {
  return wall.hour * 3600 + wall.minute * 60 + wall.second + wall.millisecond / 1000;
}

/** The calendar date `days` after `date` (negative for before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
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
