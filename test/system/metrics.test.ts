import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { MetricSchema, heartbeatJson, type Metric } from "../../src/data/heartbeat.ts";
import {
  clockSynchronised,
  cpuTemperature,
  diskSpace,
  freeMemory,
  lastRecordingAge,
  loadAverage,
  outboxDepth,
  processMemory,
  systemMetrics,
  taskFailures,
  uptime,
} from "../../src/system/metrics.ts";

const dir = mkdtempSync(join(tmpdir(), "acoupi-metrics-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, "missing");
const NOW = new Date("2025-06-01T12:00:00Z");

function byName(metrics: Metric[]): Record<string, Metric> {
  return Object.fromEntries(metrics.map((m) => [m.name, m]));
}

function fakeTimedatectl(answer: string, exitCode = 0): string {
  const path = join(dir, `timedatectl-${answer || "empty"}-${exitCode}`);
  writeFileSync(path, `#!/bin/sh\necho ${answer}\nexit ${exitCode}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("device metrics", () => {
  test("cpuTemperature reads millidegrees from the thermal zone as degrees Celsius", () => {
    const path = join(dir, "temp");
    writeFileSync(path, "48312\n");
    expect(cpuTemperature({ path, now: NOW })).toEqual([{ name: "cpu_temperature", value: 48.312, unit: "celsius", captured_on: NOW }]);
  });

  test("cpuTemperature is empty when the machine has no thermal zone", () => {
    expect(cpuTemperature({ path: missing })).toEqual([]);
  });

  test("the load averages are three non-negative numbers", () => {
    const metrics = loadAverage();
    expect(metrics.map((m) => m.name)).toEqual(["load_average_1m", "load_average_5m", "load_average_15m"]);
    for (const m of metrics) expect(m.value).toBeGreaterThanOrEqual(0);
  });

  test("free memory is positive and below the machine's total", () => {
    const [free] = freeMemory();
    expect(free?.unit).toBe("bytes");
    expect(free?.value).toBeGreaterThan(0);
    expect(free?.value).toBeLessThanOrEqual(totalmem());
  });

  test("free memory is read from MemAvailable", () => {
    const meminfoPath = join(dir, "meminfo");
    writeFileSync(meminfoPath, "MemTotal:        3884096 kB\nMemFree:          120000 kB\nMemAvailable:    2000000 kB\n");
    expect(freeMemory({ meminfoPath })[0]?.value).toBe(2000000 * 1024);
  });

  test("the process's resident memory is at least a megabyte and below the machine's total", () => {
    const [rss] = processMemory();
    expect(rss?.name).toBe("consumed_memory");
    expect(rss?.value).toBeGreaterThan(1024 * 1024);
    expect(rss?.value).toBeLessThan(totalmem());
  });

  test("disk space of the temp dir has free and used bytes and a percentage", () => {
    const metrics = byName(diskSpace(dir));
    expect(metrics.remaining_storage?.value).toBeGreaterThan(0);
    expect(metrics.used_storage?.value).toBeGreaterThanOrEqual(0);
    expect(metrics.remaining_storage?.unit).toBe("bytes");
    expect(metrics.used_storage_percent?.value).toBeGreaterThanOrEqual(0);
    expect(metrics.used_storage_percent?.value).toBeLessThanOrEqual(100);
  });

  test("disk space matches what df reports for the same filesystem", () => {
    const df = Bun.spawnSync(["df", "-B1", "--output=avail", dir], { stdout: "pipe" }).stdout.toString().trim().split("\n");
    const avail = Number(df.at(-1));
    const free = byName(diskSpace(dir)).remaining_storage?.value ?? 0;
    // Other processes write meanwhile; the two readings agree to within 1%.
    expect(Math.abs(free - avail)).toBeLessThanOrEqual(avail * 0.01);
  });

  test("disk space of a path that does not exist throws", () => {
    expect(() => diskSpace(missing)).toThrow();
  });

  test("uptime and process uptime are positive seconds, the machine's at least the process's", () => {
    const metrics = byName(uptime());
    expect(metrics.process_uptime?.value).toBeGreaterThan(0);
    expect(metrics.uptime?.value).toBeGreaterThanOrEqual(metrics.process_uptime?.value ?? 0);
    expect(metrics.uptime?.unit).toBe("seconds");
  });

  test("the clock is synchronised when systemd-timesyncd's flag file exists", () => {
    const flag = join(dir, "synchronized");
    writeFileSync(flag, "");
    expect(clockSynchronised({ syncFlagPath: flag, timedatectl: null, now: NOW })).toEqual([
      { name: "clock_synchronised", value: 1, unit: "boolean", captured_on: NOW },
    ]);
  });

  test("without the flag file timedatectl's answer decides, and no answer means unknown", () => {
    expect(clockSynchronised({ syncFlagPath: missing, timedatectl: fakeTimedatectl("no") })[0]?.value).toBe(0);
    expect(clockSynchronised({ syncFlagPath: missing, timedatectl: fakeTimedatectl("yes") })[0]?.value).toBe(1);
    expect(clockSynchronised({ syncFlagPath: missing, timedatectl: fakeTimedatectl("", 1) })).toEqual([]);
    expect(clockSynchronised({ syncFlagPath: missing, timedatectl: null })).toEqual([]);
  });

  test("systemMetrics samples everything at one instant and each metric is a valid Metric record", () => {
    const metrics = systemMetrics({ storagePath: dir, now: NOW });
    const names = metrics.map((m) => m.name);
    for (const name of ["load_average_1m", "free_memory", "consumed_memory", "remaining_storage", "used_storage", "uptime"]) {
      expect(names).toContain(name);
    }
    for (const m of metrics) {
      expect(MetricSchema.parse(m)).toEqual(m);
      expect(m.captured_on).toEqual(NOW);
      expect(Number.isFinite(m.value)).toBe(true);
    }
    const json = JSON.parse(heartbeatJson({ sent_on: NOW, device_id: "d", status: "OK", metrics }));
    expect(json.metrics).toHaveLength(metrics.length);
  });
});

describe("runner metrics", () => {
  test("the outbox depth is a count", () => {
    expect(outboxDepth(17, { now: NOW })).toEqual([{ name: "outbox_pending", value: 17, unit: "count", captured_on: NOW }]);
  });

  test("the last recording's age is in seconds, and absent before the first recording", () => {
    const last = new Date(NOW.getTime() - 90_500);
    expect(lastRecordingAge(last, { now: NOW })).toEqual([
      { name: "last_recording_age", value: 90.5, unit: "seconds", captured_on: NOW },
    ]);
    expect(lastRecordingAge(null, { now: NOW })).toEqual([]);
  });

  test("task failures give a total and one count per task, sorted by task name", () => {
    const metrics = taskFailures({ recording: 2, detection: 1, heartbeat: 0 }, { now: NOW });
    expect(metrics.map((m) => [m.name, m.value])).toEqual([
      ["task_failures", 3],
      ["task_failures.detection", 1],
      ["task_failures.heartbeat", 0],
      ["task_failures.recording", 2],
    ]);
  });
});
