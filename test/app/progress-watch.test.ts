import { describe, expect, test } from "bun:test";
import { createConsola } from "consola";
import { ProgramContext } from "../../src/programs/program-context.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { ProgressWatch, stallIntervalsFromEnv } from "../../src/app/progress-watch.ts";
import { heartbeatStatus } from "../../src/tasks/heartbeat.ts";

function watchAt(start = 0, options: { recordingEvery?: number | null; filingEvery?: number | null } = {}) {
  let now = start;
  const watch = new ProgressWatch({ recordingEvery: options.recordingEvery ?? 10, filingEvery: options.filingEvery ?? 5, monotonic: () => now });
  return { watch, advance: (ms: number) => (now += ms) };
}

describe("ProgressWatch", () => {
  test("a recording due but none made for more than 3 intervals is a stall; a new file clears it", () => {
    const { watch, advance } = watchAt();
    expect(watch.observe({ recording: { files: 0, paused_by: null } })).toEqual([]);
    advance(29_000);
    expect(watch.observe({ recording: { files: 0, paused_by: null } })).toEqual([]);
    advance(2_000);
    expect(watch.observe({ recording: { files: 0, paused_by: null } })).toEqual(["recording: no recording has succeeded for 31 s (one is due every 10 s)"]);
    expect(watch.progressing).toBe(false);
    expect(watch.status().degraded).toContain("no recording has succeeded");
    expect(watch.observe({ recording: { files: 1, paused_by: null } })).toEqual([]);
    expect(watch.progressing).toBe(true);
  });

  test("recording paused on purpose (outside its schedule) is no stall, and the count starts again when it resumes", () => {
    const { watch, advance } = watchAt();
    watch.observe({ recording: { files: 3, paused_by: "outside the recording schedule" } });
    advance(3_600_000);
    expect(watch.observe({ recording: { files: 3, paused_by: "outside the recording schedule" } })).toEqual([]);
    advance(20_000);
    expect(watch.observe({ recording: { files: 3, paused_by: null } })).toEqual([]);
    advance(31_000);
    expect(watch.observe({ recording: { files: 3, paused_by: null } })).toHaveLength(1);
  });

  test("filing that fails run after run for more than 3 intervals is a stall naming the error", () => {
    const { watch, advance } = watchAt();
    const failing = { file_management: { failing_runs: 1, last_error: "ENOTDIR: not a directory, mkdir '/x/2026'" } };
    expect(watch.observe(failing)).toEqual([]);
    advance(16_000);
    expect(watch.observe(failing)).toEqual(["filing: recordings have failed to be filed for 16 s (ENOTDIR: not a directory, mkdir '/x/2026')"]);
    expect(watch.observe({ file_management: { failing_runs: 0, last_error: null } })).toEqual([]);
  });

  test("a task not on an interval is not watched", () => {
    const { watch, advance } = watchAt(0, { recordingEvery: null, filingEvery: null });
    advance(10_000_000);
    expect(watch.observe({ recording: { files: 0, paused_by: null }, file_management: { failing_runs: 9 } })).toEqual([]);
  });

  test("ACOUPI_STALL_INTERVALS sets the multiple; nonsense falls back to 3", () => {
    expect(stallIntervalsFromEnv({ ACOUPI_STALL_INTERVALS: "5" })).toBe(5);
    expect(stallIntervalsFromEnv({ ACOUPI_STALL_INTERVALS: "0" })).toBe(3);
    expect(stallIntervalsFromEnv({})).toBe(3);
  });

  test("the heartbeat status names the stall once the watch is registered as a component", () => {
    const clock = new ManualClock(new Date("2026-01-01T00:00:00Z"));
    const ctx = new ProgramContext({ paths: acoupiPaths("/nonexistent"), deviceId: "x", clock, logger: createConsola({ level: -999 }), version: "0" }, { default: 1 });
    const { watch, advance } = watchAt();
    ctx.onStatus("progress", () => watch.status());
    const status = heartbeatStatus(ctx, { clock });
    watch.observe({ recording: { files: 0, paused_by: null } });
    expect(status()).toBe("OK");
    advance(40_000);
    watch.observe({ recording: { files: 0, paused_by: null } });
    expect(status()).toBe("progress: recording: no recording has succeeded for 40 s (one is due every 10 s)");
  });
});
