import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clockCheck } from "../../src/system/clock-check.ts";

let dir: string;
const NOW = new Date("2026-05-01T04:30:00Z");

/** A timedatectl stand-in that answers `show -p NTPSynchronized --value` with `answer`. */
function timedatectl(answer: string): string {
  const path = join(dir, `timedatectl-${answer}`);
  writeFileSync(path, `#!/bin/sh\n[ "$1 $2 $3 $4" = "show -p NTPSynchronized --value" ] && echo ${answer}\n`);
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-clock-"));
  mkdirSync(join(dir, "rtc/rtc0"), { recursive: true });
  writeFileSync(join(dir, "rtc/rtc0/name"), "rtc-ds1307 1-0068\n");
  mkdirSync(join(dir, "no-rtc"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the clock check", () => {
  test("a clock synchronised by NTP passes, naming the real-time clock when there is one", () => {
    const report = clockCheck(NOW, { ACOUPI_TIMEDATECTL: timedatectl("yes"), ACOUPI_RTC_DIR: join(dir, "rtc") });
    expect(report).toEqual({ subject: "clock", lines: ["2026-05-01 04:30 UTC, synchronised by NTP; real-time clock rtc-ds1307 1-0068"], warnings: [] });
  });

  test("a clock not synchronised and without a real-time clock warns, pointing at the docs on time offline", () => {
    const report = clockCheck(NOW, { ACOUPI_TIMEDATECTL: timedatectl("no"), ACOUPI_RTC_DIR: join(dir, "no-rtc") });
    expect(report.lines).toEqual([]);
    expect(report.warnings).toEqual(["2026-05-01 04:30 UTC, not synchronised by NTP, no real-time clock: offline after a power cut the time is wrong until NTP (docs/time.md)"]);
  });

  test("a real-time clock keeps the time when NTP is not there", () => {
    const report = clockCheck(NOW, { ACOUPI_TIMEDATECTL: timedatectl("no"), ACOUPI_RTC_DIR: join(dir, "rtc") });
    expect(report.warnings).toEqual([]);
    expect(report.lines[0]).toContain("not synchronised by NTP; kept by the real-time clock rtc-ds1307 1-0068");
  });

  test("without timedatectl the state is said to be unknown, not guessed", () => {
    const report = clockCheck(NOW, { ACOUPI_TIMEDATECTL: join(dir, "no-such-timedatectl"), ACOUPI_RTC_DIR: join(dir, "no-rtc") });
    expect(report.lines).toEqual(["2026-05-01 04:30 UTC; NTP state unknown here (no timedatectl); no real-time clock"]);
  });
});
