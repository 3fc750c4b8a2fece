import { afterEach, describe, expect, test } from "bun:test";
import { intlWallClock, zonedClock } from "../../src/time/zoned-clock.ts";

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** Every 7 minutes 30 s over two days around `iso`, plus the instant itself. */
function instantsAround(iso: string): Date[] {
  const centre = Date.parse(iso);
  const out: Date[] = [];
  for (let t = centre - 86_400_000; t <= centre + 86_400_000; t += 450_000) out.push(new Date(t + 123));
  return out;
}

// Spring and autumn changes in each zone, and a zone with a half-hour offset and a 30-minute change.
const CASES: Array<[string, string[]]> = [
  ["Europe/London", ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"]],
  ["America/New_York", ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z"]],
  ["Australia/Lord_Howe", ["2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"]],
  ["UTC", ["2026-06-01T00:00:00Z"]],
];

describe("zoned wall clocks", () => {
  for (const [zone, changes] of CASES) {
    test(`the wall time in ${zone} read from the process's own zone equals Intl's, across its clock changes`, () => {
      process.env.TZ = zone;
      const clock = zonedClock(zone);
      const intl = intlWallClock(zone);
      for (const change of changes) for (const instant of instantsAround(change)) expect(clock(instant)).toEqual(intl(instant));
    });
  }

  test("a zone other than the process's is read through Intl, and UTC from the UTC fields", () => {
    process.env.TZ = "Asia/Kathmandu";
    const instant = new Date("2026-07-01T12:34:56.789Z");
    expect(zonedClock("Europe/London")(instant)).toEqual({ year: 2026, month: 7, day: 1, hour: 13, minute: 34, second: 56, millisecond: 789 });
    expect(zonedClock("UTC")(instant)).toEqual({ year: 2026, month: 7, day: 1, hour: 12, minute: 34, second: 56, millisecond: 789 });
    expect(zonedClock("Asia/Kathmandu")(instant)).toEqual({ year: 2026, month: 7, day: 1, hour: 18, minute: 19, second: 56, millisecond: 789 });
  });

  test("a clock made for the process's zone keeps reading that zone after TZ changes", () => {
    process.env.TZ = "Europe/Berlin";
    const clock = zonedClock("Europe/Berlin");
    process.env.TZ = "America/Chicago";
    expect(clock(new Date("2026-01-15T12:00:00Z")).hour).toBe(13);
  });
});
