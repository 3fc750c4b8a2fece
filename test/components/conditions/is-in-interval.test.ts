import { describe, expect, test } from "bun:test";
import { all, any, isInInterval, isInIntervals, not, recordingSchedule } from "../../../src/components/conditions/index.ts";
import { ConfigError } from "../../../src/errors.ts";

const at = (iso: string) => new Date(iso);

describe("isInInterval", () => {
  // Europe/Berlin: CET (UTC+1) until 2024-03-31 01:00Z, then CEST (UTC+2) until 2024-10-27 01:00Z.
  const night = isInInterval({ start: "22:00:00", end: "04:00:00", timezone: "Europe/Berlin" });

  test("a 22:00–04:00 Berlin window wraps past midnight on the night clocks go forward", () => {
    expect(night(at("2024-03-30T20:59:59Z"))).toBe(false); // 21:59:59 CET
    expect(night(at("2024-03-30T21:00:00Z"))).toBe(true); // 22:00 CET, start is inclusive
    expect(night(at("2024-03-30T23:30:00Z"))).toBe(true); // 00:30 CET
    expect(night(at("2024-03-31T01:30:00Z"))).toBe(true); // 03:30 CEST
    expect(night(at("2024-03-31T02:00:00Z"))).toBe(true); // 04:00 CEST, end is inclusive
    expect(night(at("2024-03-31T02:00:01Z"))).toBe(false); // 04:00:01 CEST
    expect(night(at("2024-03-31T12:00:00Z"))).toBe(false); // 14:00 CEST
  });

  test("the window follows Berlin summer time, not UTC", () => {
    // 20:30Z is 22:30 CEST (inside) but outside a UTC 22:00–04:00 window.
    expect(night(at("2024-03-31T20:30:00Z"))).toBe(true);
    // 02:30Z is 04:30 CEST (outside) but inside a UTC 22:00–04:00 window.
    expect(night(at("2024-04-01T02:30:00Z"))).toBe(false);
    const utc = isInInterval({ start: "22:00:00", end: "04:00:00", timezone: "UTC" });
    expect(utc(at("2024-03-31T20:30:00Z"))).toBe(false);
    expect(utc(at("2024-04-01T02:30:00Z"))).toBe(true);
  });

  test("the window ends at 04:00 CET on the night clocks go back", () => {
    expect(night(at("2024-10-26T19:59:59Z"))).toBe(false); // 21:59:59 CEST
    expect(night(at("2024-10-26T20:00:00Z"))).toBe(true); // 22:00 CEST
    expect(night(at("2024-10-27T00:30:00Z"))).toBe(true); // 02:30 CEST, first pass
    expect(night(at("2024-10-27T01:30:00Z"))).toBe(true); // 02:30 CET, second pass
    expect(night(at("2024-10-27T03:00:00Z"))).toBe(true); // 04:00 CET
    expect(night(at("2024-10-27T03:00:01Z"))).toBe(false);
  });

  test("a daytime window includes both bounds and nothing outside them", () => {
    const day = isInInterval({ start: "06:00:00", end: "22:30:00", timezone: "America/New_York" });
    expect(day(at("2024-07-01T09:59:59Z"))).toBe(false); // 05:59:59 EDT
    expect(day(at("2024-07-01T10:00:00Z"))).toBe(true); // 06:00 EDT
    expect(day(at("2024-07-02T02:30:00Z"))).toBe(true); // 22:30 EDT
    expect(day(at("2024-07-02T02:30:00.500Z"))).toBe(false); // 22:30:00.5 EDT
    expect(day(at("2024-07-02T04:00:00Z"))).toBe(false); // 00:00 EDT
  });

  test("a window whose start equals its end covers the whole day", () => {
    const always = isInInterval({ start: "05:00:00", end: "05:00:00", timezone: "Asia/Kolkata" });
    for (let h = 0; h < 24; h++) expect(always(at(`2024-01-01T${String(h).padStart(2, "0")}:17:00Z`))).toBe(true);
  });

  test("an unknown time zone is a ConfigError when the condition is built", () => {
    expect(() => isInInterval({ start: "06:00", end: "07:00", timezone: "Mars/Olympus" })).toThrow(ConfigError);
  });
});

describe("isInIntervals", () => {
  // Asia/Kolkata is UTC+5:30 all year.
  const windows = isInIntervals(
    [
      { start: "05:00:00", end: "07:00:00" },
      { start: "18:30:00", end: "20:00:00" },
      { start: "23:30:00", end: "00:30:00" },
    ],
    "Asia/Kolkata",
  );

  test("records inside any of several windows read in the configured zone", () => {
    expect(windows(at("2024-05-01T00:00:00Z"))).toBe(true); // 05:30 IST
    expect(windows(at("2024-05-01T13:00:00Z"))).toBe(true); // 18:30 IST
    expect(windows(at("2024-05-01T18:30:00Z"))).toBe(true); // 00:00 IST, in the wrapping window
    expect(windows(at("2024-05-01T19:00:00Z"))).toBe(true); // 00:30 IST
  });

  test("does not record between the windows", () => {
    expect(windows(at("2024-05-01T02:00:00Z"))).toBe(false); // 07:30 IST
    expect(windows(at("2024-05-01T14:31:00Z"))).toBe(false); // 20:01 IST
    expect(windows(at("2024-05-01T19:01:00Z"))).toBe(false); // 00:31 IST
  });

  test("no windows never records", () => {
    expect(isInIntervals([], "UTC")(at("2024-05-01T12:00:00Z"))).toBe(false);
  });
});

describe("recordingSchedule", () => {
  test("the default 06:00–22:30 schedule does not record at night (acoupi 0.6 recorded all day)", () => {
    const schedule = recordingSchedule({ timezone: "Europe/London", recording: { schedule_start: "06:00:00", schedule_end: "22:30:00" } });
    expect(schedule(at("2024-06-21T05:00:00Z"))).toBe(true); // 06:00 BST
    expect(schedule(at("2024-06-21T21:30:00Z"))).toBe(true); // 22:30 BST
    expect(schedule(at("2024-06-21T22:00:00Z"))).toBe(false); // 23:00 BST
    expect(schedule(at("2024-06-21T02:00:00Z"))).toBe(false); // 03:00 BST
    expect(schedule(at("2024-12-21T05:30:00Z"))).toBe(false); // 05:30 GMT
    expect(schedule(at("2024-12-21T06:00:00Z"))).toBe(true); // 06:00 GMT
  });

  test("an overnight schedule wraps past midnight", () => {
    const schedule = recordingSchedule({ timezone: "Europe/London", recording: { schedule_start: "19:00:00", schedule_end: "07:00:00" } });
    expect(schedule(at("2024-06-21T23:00:00Z"))).toBe(true); // 00:00 BST
    expect(schedule(at("2024-06-21T12:00:00Z"))).toBe(false); // 13:00 BST
  });
});

describe("combinators", () => {
  const yes = () => true;
  const no = () => false;
  const now = at("2024-01-01T00:00:00Z");

  test("all holds when every condition holds, and for none", () => {
    expect(all(yes, yes)(now)).toBe(true);
    expect(all(yes, no)(now)).toBe(false);
    expect(all()(now)).toBe(true);
  });

  test("any holds when one condition holds, and not for none", () => {
    expect(any(no, yes)(now)).toBe(true);
    expect(any(no, no)(now)).toBe(false);
    expect(any()(now)).toBe(false);
  });

  test("not inverts a real window", () => {
    const day = isInInterval({ start: "08:00", end: "17:00", timezone: "UTC" });
    expect(not(day)(at("2024-01-01T12:00:00Z"))).toBe(false);
    expect(not(day)(at("2024-01-01T20:00:00Z"))).toBe(true);
  });
});
