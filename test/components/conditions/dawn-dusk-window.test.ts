import { describe, expect, test } from "bun:test";
import { civilTwilight } from "../../../src/time/twilight.ts";
import { dawnDuskWindow } from "../../../src/components/conditions/index.ts";

const TOLERANCE_MS = 2 * 60_000;
const at = (iso: string) => new Date(iso);

function expectNear(actual: Date | null, expectedIso: string): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual?.getTime() ?? 0) - Date.parse(expectedIso))).toBeLessThanOrEqual(TOLERANCE_MS);
}

describe("civil twilight against sun tables", () => {
  test("Decorah, Iowa matches Luther College's USNO-based table for September", () => {
    // Source: https://faculty.luther.edu/bernatzr/DecWx/Month09/Data/srssData_09.htm (Decorah,
    // Iowa, 43.30 N 91.79 W, CDT; civil twilight per the U.S. Naval Observatory definition). The
    // table names no year; the times move by well under a minute between years.
    // Sep 1: begin 6:02, end 8:11 pm; Sep 21: 6:25, 7:34 pm; Sep 30: 6:36, 7:18 pm (CDT = UTC-5).
    const rows: [number, string, string][] = [
      [1, "2024-09-01T11:02:00Z", "2024-09-02T01:11:00Z"],
      [21, "2024-09-21T11:25:00Z", "2024-09-22T00:34:00Z"],
      [30, "2024-09-30T11:36:00Z", "2024-10-01T00:18:00Z"],
    ];
    for (const [day, dawn, dusk] of rows) {
      const times = civilTwilight({ year: 2024, month: 9, day }, 43.3033, -91.7857, "America/Chicago");
      expectNear(times.dawn, dawn);
      expectNear(times.dusk, dusk);
    }
  });

  test("London on the 2024 June solstice has civil dawn at 03:55 BST and dusk at 22:09 BST", () => {
    // Published: sunrise 04:42:38 and sunset 21:22:06 BST on 21 June at 51.5 N 0.125 W (Houses
    // of Parliament table, https://news.najib.digital/summer-solstice-london-25494.html). Civil
    // twilight by the USNO definition (sun 6° down): cos H = (sin −6° − sin φ sin δ)/(cos φ cos δ)
    // with φ = 51.51°, δ = 23.44° gives H = 9 h 07 min either side of the 13:02 BST transit.
    // The brief's "03:57 / 22:05" is 2–4 min off that; see the report.
    const times = civilTwilight({ year: 2024, month: 6, day: 21 }, 51.5074, -0.1278, "Europe/London");
    expectNear(times.dawn, "2024-06-21T02:55:00Z");
    expectNear(times.dusk, "2024-06-21T21:09:00Z");
  });

  test("the local date picks the day in zones far from their meridian", () => {
    // Kiritimati is UTC+14 at 157° W: its 21 June is mostly UTC 20 June.
    const times = civilTwilight({ year: 2024, month: 6, day: 21 }, 1.87, -157.4, "Pacific/Kiritimati");
    const local = (d: Date | null) => d?.toLocaleDateString("en-CA", { timeZone: "Pacific/Kiritimati" });
    expect(local(times.dawn)).toBe("2024-06-21");
    expect(local(times.dusk)).toBe("2024-06-21");
  });

  test("polar day and polar night have no civil dawn or dusk, without throwing", () => {
    for (const month of [6, 12]) {
      const times = civilTwilight({ year: 2024, month, day: 21 }, 78.2232, 15.6267, "Arctic/Longyearbyen");
      expect(times).toEqual({ dawn: null, dusk: null });
    }
  });
});

describe("dawnDuskWindow", () => {
  const london = { latitude: 51.5074, longitude: -0.1278, timezone: "Europe/London" };
  const dawn = civilTwilight({ year: 2024, month: 6, day: 21 }, london.latitude, london.longitude, london.timezone).dawn;
  if (dawn === null) throw new Error("London has a civil dawn in June");
  const t = dawn.getTime();

  test("records from before_minutes before civil dawn to after_minutes after it, inclusive", () => {
    const around = dawnDuskWindow({ ...london, before_minutes: 20, after_minutes: 10, event: "dawn" });
    expect(around(new Date(t - 20 * 60_000 - 1000))).toBe(false);
    expect(around(new Date(t - 20 * 60_000))).toBe(true);
    expect(around(dawn)).toBe(true);
    expect(around(new Date(t + 10 * 60_000))).toBe(true);
    expect(around(new Date(t + 10 * 60_000 + 1000))).toBe(false);
  });

  test("uses the deployment's coordinates, not Greenwich", () => {
    // Sydney's civil dawn on 21 June 2024 is near 06:32 AEST (20:32Z on the 20th); London is asleep.
    const sydney = dawnDuskWindow({ latitude: -33.8688, longitude: 151.2093, timezone: "Australia/Sydney", before_minutes: 5, after_minutes: 5, event: "dawn" });
    expect(sydney(at("2024-06-20T20:32:00Z"))).toBe(true);
    expect(sydney(dawn)).toBe(false);
  });

  test("dusk-only and both-event windows", () => {
    const duskOnly = dawnDuskWindow({ ...london, before_minutes: 5, after_minutes: 5, event: "dusk" });
    const both = dawnDuskWindow({ ...london, before_minutes: 5, after_minutes: 5, event: "both" });
    expect(duskOnly(dawn)).toBe(false);
    expect(both(dawn)).toBe(true);
    expect(duskOnly(at("2024-06-21T21:09:00Z"))).toBe(true);
    expect(both(at("2024-06-21T12:00:00Z"))).toBe(false);
  });

  test("a dusk window crossing local midnight matches on both sides of it", () => {
    // Helsinki's civil dusk of 21 June 2024 is at about 00:42 EEST on the 22nd (21:42Z).
    const helsinki = dawnDuskWindow({ latitude: 60.1699, longitude: 24.9384, timezone: "Europe/Helsinki", before_minutes: 60, after_minutes: 30, event: "dusk" });
    expect(helsinki(at("2024-06-21T20:50:00Z"))).toBe(true); // 23:50 on the 21st
    expect(helsinki(at("2024-06-21T21:10:00Z"))).toBe(true); // 00:10 on the 22nd
    expect(helsinki(at("2024-06-21T22:05:00Z"))).toBe(true); // 01:05 on the 22nd
    expect(helsinki(at("2024-06-21T22:30:00Z"))).toBe(false); // 01:30, between dusk and dawn
  });

  test("is false all day in polar day and polar night, without throwing", () => {
    const svalbard = dawnDuskWindow({ latitude: 78.2232, longitude: 15.6267, timezone: "Arctic/Longyearbyen", before_minutes: 60, after_minutes: 60 });
    for (const day of ["2024-06-21", "2024-12-21"]) {
      for (let h = 0; h < 24; h++) expect(svalbard(at(`${day}T${String(h).padStart(2, "0")}:00:00Z`))).toBe(false);
    }
  });
});
