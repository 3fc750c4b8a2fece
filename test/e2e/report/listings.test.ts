/**
 * @module `acoupi recordings`, `detections` and `summary` through the real CLI on the known fixture
 * database: tables, JSON lines, filters, errors, and gaps with their reasons.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { RECORDING_IDS, writeFixtureDb, type FixtureDb } from "../../helpers/fixture-db.ts";

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("acoupi recordings, detections and summary", () => {
  let home: TempHome;
  let fixture: FixtureDb;
  beforeAll(() => {
    home = makeTempHome("acoupi-listings-");
    fixture = writeFixtureDb(home.home);
  });
  afterAll(() => home.cleanup());
  const run = (args: string[]) => runAcoupi([...args, "--db", fixture.path], home.env);

  test("recordings lists newest first as a table with a header, each id and path on a line under its row", () => {
    const result = run(["recordings"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CREATED \(UTC\)\s+SECONDS\s+HZ\s+DETECTIONS\s+STATE\s+DEPLOYMENT$/);
    expect(lines).toHaveLength(2 + 5 * 2);
    expect(lines[2]).toContain("2024-05-02 08:00:00Z");
    expect(lines[2]).toMatch(/\swood$/);
    expect(lines[3]).toStartWith(`  ${RECORDING_IDS[4]}  `);
    expect(lines[11]).toStartWith(`  ${RECORDING_IDS[0]}  `);
    // Issue 25: the table fits 100 columns; only a long path may run past it, on its own line.
    for (const line of lines.filter((_, i) => i < 2 || i % 2 === 0)) expect(line.length).toBeLessThanOrEqual(100);
  });

  test("recordings --json streams one object per line and honours the filters", () => {
    const all = jsonLines(run(["recordings", "--json"]).stdout);
    expect(all.map((r) => r.id)).toEqual([...RECORDING_IDS].reverse());
    const meadowDay1 = jsonLines(run(["recordings", "--json", "--deployment", "meadow", "--until", "2024-05-02"]).stdout);
    expect(meadowDay1.map((r) => r.id)).toEqual([RECORDING_IDS[2], RECORDING_IDS[1], RECORDING_IDS[0]]);
    const owls = jsonLines(run(["recordings", "--json", "--label", "strix ALUCO", "--min-score", "0.65"]).stdout);
    expect(owls.map((r) => r.id)).toEqual([RECORDING_IDS[1], RECORDING_IDS[0]]);
    expect(owls[1]?.detections).toBe(2);
    expect(jsonLines(run(["recordings", "--json", "--limit", "2"]).stdout)).toHaveLength(2);
  });

  test("detections lists label, score and box, filtered by label and score", () => {
    const rows = jsonLines(run(["detections", "--json", "--label", "Strix aluco", "--since", "2024-05-01T06:00:05Z"]).stdout);
    expect(rows.map((r) => [r.recording_id, r.label, r.score, r.start_time_s, r.high_freq_hz])).toEqual([
      [RECORDING_IDS[4], "Strix aluco", 0.6, 1.25, 2500],
      [RECORDING_IDS[1], "Strix aluco", 0.7, 0, 3500],
    ]);
    const table = run(["detections", "--min-score", "0.9"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines).toHaveLength(2 + 2);
    expect(lines[2]).toMatch(/Troglodytes troglodytes\s+0\.950\s/);
    expect(lines[3]).toMatch(/Strix aluco\s+0\.900\s+0\.5\s+1\.5\s+1000\s+4000\s+BirdNET/);
  });

  test("an empty result says so, and a bad filter names the flag", () => {
    expect(run(["detections", "--label", "Bubo bubo"]).stdout).toBe("No detections match.\n");
    const bad = run(["recordings", "--min-score", "2"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid --min-score "2": expected a score between 0 and 1');
    const since = run(["recordings", "--since", "yesterday"]);
    expect(since.code).toBe(1);
    expect(since.stderr).toContain('Invalid --since "yesterday"');
  });

  test("a missing database is an error that says how to get one", () => {
    const result = runAcoupi(["recordings", "--db", `${home.home}/nope.db`], home.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`There is no metadata database at "${home.home}/nope.db" yet`);
    expect(result.stderr).toContain("Help: Start a deployment");
  });

  test("summary per day counts recordings, hours, disk, labels and gaps with reasons", () => {
    const days = jsonLines(run(["summary", "--json", "--gap", "60"]).stdout);
    expect(days.map((d) => d.bucket)).toEqual(["2024-05-01", "2024-05-02"]);
    const [first, second] = days;
    expect(first?.recordings).toBe(3);
    expect(first?.hours).toBeCloseTo(9 / 3600, 9);
    expect(first?.disk_bytes).toBe(2000); // the discarded recording's file does not count
    expect(first?.detections).toEqual({ "Strix aluco": 2, "Troglodytes troglodytes": 1 });
    expect(first?.gaps).toEqual([{ from: "2024-05-01T06:00:23.000Z", to: "2024-05-02T07:00:00.000Z", seconds: 89977, reason: "unknown (runner stopped, device or disk)" }]);
    expect(second?.recordings).toBe(2);
    expect(second?.detections).toEqual({ "Strix aluco": 1, "Troglodytes troglodytes": 1 });
    expect(second?.gaps).toEqual([{ from: "2024-05-02T07:00:03.000Z", to: "2024-05-02T08:00:00.000Z", seconds: 3597, reason: "between deployments" }]);
  });

  test("summary by hour splits the buckets and prints a table with the gaps below", () => {
    const hours = jsonLines(run(["summary", "--json", "--by", "hour"]).stdout);
    expect(hours.map((h) => h.bucket)).toEqual(["2024-05-01T06", "2024-05-02T07", "2024-05-02T08"]);
    const table = run(["summary", "--gap", "60"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^UTC\s+RECORDINGS\s+HOURS\s+DISK MB\s+GAPS\s+DETECTIONS\n/);
    expect(table.stdout).toMatch(/2024-05-01\s+3\s+0\.00\s+0\.0\s+1\s+Strix aluco:2 Troglodytes troglodytes:1\n/);
    expect(table.stdout).toContain("2024-05-02T07:00:03.000Z → 2024-05-02T08:00:00.000Z  3597 s  between deployments");
  });

  test("summary explains a gap by the configured schedule, and takes its threshold from the recording interval", () => {
    const env = { ...home.env, ACOUPI_HOME: `${home.home}/scheduled` };
    const setup = runAcoupi(
      ["setup", "--program", "default", "--no-prompt", "--timezone", "UTC", "--recording.interval", "30", "--recording.schedule_start", "06:00:00", "--recording.schedule_end", "06:00:40"],
      env,
    );
    expect(setup.code).toBe(0);
    const days = jsonLines(runAcoupi(["summary", "--json", "--db", fixture.path], env).stdout);
    // Twice the 30 s interval: the 10 s spacing on the first morning is no gap; the night is, outside 06:00:00–06:00:40 UTC.
    expect(days[0]?.gaps).toEqual([{ from: "2024-05-01T06:00:23.000Z", to: "2024-05-02T07:00:00.000Z", seconds: 89977, reason: "outside the schedule" }]);
    expect((days[1]?.gaps as Array<{ reason: string }>).map((g) => g.reason)).toEqual(["between deployments"]);
  });
});
