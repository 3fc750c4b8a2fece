/**
 * @module Zoned wall clocks: the wall time of an instant in an IANA zone, read through Intl (no
 * time-zone library), time-zone validation, and calendar-date arithmetic. Schedules, saving
 * windows, cron and twilight all read local time through here; storage stays UTC.
 */
import { ConfigError } from "../errors.ts";

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

export function isValidTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
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

/**
 * Returns a function reading the wall time of an instant in `timeZone`. In UTC, and in the
 * process's own zone (TZ, else /etc/localtime: the config's default), it reads the Date's own
 * fields, whose zone offsets JavaScriptCore caches; elsewhere it asks Intl, which costs about a
 * millisecond and a dozen objects a call (the runner checks its recording window every few seconds).
 */
export function zonedClock(timeZone: string): (instant: Date) => WallTime {
  assertTimeZone(timeZone);
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return utcWallTime;
  if (timeZone === processTimeZone()) {
    const intl = intlWallClock(timeZone);
    const tz = process.env.TZ;
    // Should TZ change under us, the Date's fields follow the new zone: ask Intl from then on.
    return (instant) => (process.env.TZ === tz ? localWallTime(instant) : intl(instant));
  }
  return intlWallClock(timeZone);
}

/** The zone of this process's local time, as Intl names it. */
function processTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function utcWallTime(instant: Date): WallTime {
  return {
    year: instant.getUTCFullYear(),
    month: instant.getUTCMonth() + 1,
    day: instant.getUTCDate(),
    hour: instant.getUTCHours(),
    minute: instant.getUTCMinutes(),
    second: instant.getUTCSeconds(),
    millisecond: instant.getUTCMilliseconds(),
  };
}

function localWallTime(instant: Date): WallTime {
  return {
    year: instant.getFullYear(),
    month: instant.getMonth() + 1,
    day: instant.getDate(),
    hour: instant.getHours(),
    minute: instant.getMinutes(),
    second: instant.getSeconds(),
    millisecond: instant.getMilliseconds(),
  };
}

/** Reads the wall time in `timeZone` through Intl (any IANA zone). */
export function intlWallClock(timeZone: string): (instant: Date) => WallTime {
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
