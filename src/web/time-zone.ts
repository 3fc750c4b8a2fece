/**
 * @module Times on the page in the deployment's time zone (the program's `timezone`), with the
 * zone shown: `2024-05-01 07:00:03 BST`. Stored times are UTC text; formatters are built once per
 * zone (building one costs far more than using it). Also the local date and hour of an instant,
 * for the charts' cells, and the UTC instant a local day starts.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
      hourCycle: "h23", timeZoneName: "short",
    });
    formatters.set(zone, f);
  }
  return f;
}

export interface ZonedParts {
  date: string;
  hour: number;
  time: string;
  zoneName: string;
}

/** The local date (`YYYY-MM-DD`), hour, `HH:MM:SS` and zone abbreviation of an instant. */
export function zonedParts(ms: number, zone: string): ZonedParts {
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms))) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), time: `${p.hour}:${p.minute}:${p.second}`, zoneName: p.timeZoneName ?? zone };
}

/** A stored UTC time (ISO text) in the zone, with the zone named: `2024-05-01 07:00:03 BST`. */
export function zoned(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const p = zonedParts(ms, zone);
  return `${p.date} ${p.time} ${p.zoneName}`;
}

/** The zone the page uses: the program's `timezone` when it is a zone this runtime knows, else UTC. */
export function pageZone(tz: string | undefined): string {
  if (tz === undefined) return "UTC";
  try {
    formatter(tz);
    return tz;
  } catch (error) {
    void error; // An unknown zone (the config check refuses it first): show UTC rather than fail.
    return "UTC";
  }
}

/** The local dates of the last `n` days ending today in the zone, oldest first. */
export function lastLocalDays(now: Date, zone: string, n: number): string[] {
  const days: string[] = [];
  const today = zonedParts(now.getTime(), zone).date;
  let ms = Date.parse(`${today}T12:00:00Z`);
  for (let i = 0; i < n; i++, ms -= 86_400_000) days.unshift(new Date(ms).toISOString().slice(0, 10));
  return days;
}

/** The UTC instant a local day (`YYYY-MM-DD`) starts in the zone. */
export function localDayStart(date: string, zone: string): Date {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const offsetAt = (ms: number) => {
    const p = zonedParts(ms, zone);
    return Date.parse(`${p.date}T${p.time}Z`) - ms;
  };
  // Twice: the offset at the guess may differ from the offset at the day's start across a change.
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}
