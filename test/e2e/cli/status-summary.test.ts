import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { statusSummary, zonedTime } from "../../../src/cli/commands/deployment/_status-summary.ts";
import type { StatusReport } from "../../../src/status/status-report.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

let home: TempHome;
beforeAll(() => {
  home = makeTempHome();
  expect(runAcoupi(["setup", "--program", "connected", "--no-prompt", "--timezone", "America/New_York"], home.env).code).toBe(0);
});
afterAll(() => home.cleanup());

const NOW = new Date("2026-05-01T04:33:00Z");

function report(overrides: Partial<StatusReport>): StatusReport {
  return {
    setUp: true,
    program: "connected",
    deployment: { active: true, id: "d1", name: "site-1", started_on: "2026-04-30T00:00:00Z", ended_on: null, latitude: 51.5, longitude: -0.1 },
    runner: { running: true, pid: 4242, statusAgeSeconds: 2 },
    health: "ok",
    degraded: [],
    recording: { last: "2026-05-01T04:30:00Z", next: "2026-05-01T04:33:10Z", pausedBy: null },
    status: null,
    ...overrides,
  };
}

describe("the summary at the top of acoupi status", () => {
  test("says the health, the last and next recording in the deployment's zone with the zone named, the disk and the outbox, aligned", () => {
    const status = { pid: 4242, program: "connected", version: "x", state: "running" as const, startedAt: "", updatedAt: "", degraded: [], tasks: {}, components: { outbox: { pending: 12, delivered: 0, failed: 0, messenger: "none" } } };
    const lines = statusSummary(report({ status }), acoupiPaths(home.acoupiHome), NOW);
    expect(lines[0]).toBe("acoupi is running and healthy");
    expect(lines[1]).toBe("  Last recording  2026-05-01 00:30:00 America/New_York (3 min ago)");
    expect(lines[2]).toBe("  Next recording  2026-05-01 00:33:10 America/New_York (in 10 s)");
    expect(lines[3]).toMatch(/^ {2}Disk {12}[\d,]+ MB free of [\d,]+ MB \(\d+%\), for .*storages\/recordings$/);
    // No messenger: nothing is sent, and status says so plainly.
    expect(lines[4]).toBe("  Outbox          nothing will be sent: no messenger is configured (messaging.mqtt or messaging.http); 12 messages kept");
  });

  test("a degraded runner says why, and a crashed one what to do", () => {
    expect(statusSummary(report({ health: "degraded", degraded: ["recording: device missing"] }), acoupiPaths(home.acoupiHome), NOW)[0]).toBe("acoupi is running, but degraded: recording: device missing");
    expect(statusSummary(report({ health: "crashed" }), acoupiPaths(home.acoupiHome), NOW)[0]).toBe('acoupi crashed: the deployment "site-1" is active but its runner is gone (`acoupi restart` starts it; `acoupi logs` says why)');
  });

  test("a program.json with a section acoupi cannot read says so on a line of its own, and shows times in UTC", () => {
    const other = makeTempHome("acoupi-status-renamed-");
    try {
      const paths = acoupiPaths(other.acoupiHome);
      mkdirSync(paths.configDir, { recursive: true });
      writeFileSync(paths.programJson, JSON.stringify({ time_zone: "America/New_York", paths: { tmp_audio: "tmp", recordings: "storages/recordings", db_metadata: "storages/metadata.db" } }));
      const lines = statusSummary(report({}), paths, NOW);
      expect(lines[1]).toBe(`  Config          The config of program "connected" (${paths.programJson}) has a section "time_zone" but no "timezone": acoupi reads "timezone", so "time_zone" would be ignored`);
      expect(lines[2]).toBe("  Last recording  2026-05-01 04:30:00 UTC (3 min ago)");
    } finally {
      other.cleanup();
    }
  });

  test("times are shown in the named zone", () => {
    expect(zonedTime("2026-01-15T12:00:00Z", "Europe/Berlin")).toBe("2026-01-15 13:00:00 Europe/Berlin");
  });

  test("acoupi status keeps the internal counters for --verbose and --json", () => {
    const paths = acoupiPaths(home.acoupiHome);
    mkdirSync(paths.runDir, { recursive: true });
    writeFileSync(paths.statusFile, JSON.stringify({
      pid: 999999, program: "connected", version: "x", state: "stopped", startedAt: NOW.toISOString(), updatedAt: NOW.toISOString(), degraded: [],
      tasks: { recording_task: { runs: 5, failures: 0, skips: 0, lastSuccess: NOW.toISOString(), lastFailure: null, lastError: null } },
      components: { recording: { frames_captured: 540672, last_recording: NOW.toISOString() }, progress: { stall_intervals: 3 } },
    }));
    const plain = runAcoupi(["status"], home.env);
    expect(plain.stdout.split("\n")[0]).toBe("acoupi is stopped: no deployment is active (`acoupi start` starts one)");
    expect(plain.stdout).not.toContain("frames_captured");
    expect(plain.stdout).not.toContain("stall_intervals");
    expect(plain.stdout).toContain("(`acoupi status --verbose` adds the task and component counters)");
    const verbose = runAcoupi(["status", "--verbose"], home.env);
    expect(verbose.stdout).toMatch(/\n {2}recording_task : 5 runs, 0 failed/);
    expect(verbose.stdout).toMatch(/\n {7}recording : frames_captured=540672/);
    expect(JSON.parse(runAcoupi(["status", "--json"], home.env).stdout).status.components.progress.stall_intervals).toBe(3);
  }, 30_000);
});
