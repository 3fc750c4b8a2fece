import { describe, expect, test } from "bun:test";
import { MAX_SLEEP_MS } from "../../src/scheduler/scheduler.ts";
import { harness, HOUR, MINUTE } from "./_helpers.ts";

/** Records the wall instant of each run of a task. */
function instants(clock: { now(): Date }): { runs: string[]; record: () => void } {
  const runs: string[] = [];
  return { runs, record: () => void runs.push(clock.now().toISOString()) };
}

describe("Scheduler intervals", () => {
  test("an interval task runs at start, then on the start + k·period grid whatever its run length", async () => {
    const { scheduler, timers, clock } = harness({ start: new Date("2025-06-01T12:00:00Z") });
    const seen = instants(clock);
    scheduler.add({ name: "every_10s", queue: "default", schedule: { every: 10 }, run: async () => {
      seen.record();
      clock.advance(3_000); // the run itself takes 3 s of clock time
    } });
    scheduler.start();
    await timers.elapse(35_000);
    await scheduler.stop(0);
    expect(seen.runs).toEqual(["2025-06-01T12:00:00.000Z", "2025-06-01T12:00:10.000Z", "2025-06-01T12:00:20.000Z", "2025-06-01T12:00:30.000Z"]);
  });

  test("after the process is suspended for an hour an interval task runs once, then resyncs to its grid", async () => {
    const { scheduler, timers, clock } = harness({ start: new Date("2025-06-01T12:00:00Z") });
    const seen = instants(clock);
    scheduler.add({ name: "every_minute", queue: "default", schedule: { every: 60 }, run: seen.record });
    scheduler.start();
    await timers.elapse(90_000);
    expect(seen.runs).toHaveLength(2);
    clock.advance(HOUR); // suspended: time passes, no timer fires
    expect(scheduler.healthy()).toBe(false);
    await timers.flush();
    expect(scheduler.healthy()).toBe(true);
    expect(seen.runs).toHaveLength(3);
    expect(seen.runs[2]).toBe("2025-06-01T13:01:30.000Z");
    await timers.elapse(30_000);
    expect(seen.runs.slice(3)).toEqual(["2025-06-01T13:02:00.000Z"]);
    expect(scheduler.stats().every_minute?.skips).toBe(0);
    await scheduler.stop(0);
  });

  for (const jump of [6 * HOUR, -6 * HOUR]) {
    test(`a ${jump > 0 ? "+" : "−"}6 h wall jump neither bursts nor stalls an interval task`, async () => {
      const { scheduler, timers, clock } = harness();
      let runs = 0;
      scheduler.add({ name: "every_minute", queue: "default", schedule: { every: 60 }, run: () => void runs++ });
      scheduler.start();
      await timers.elapse(5 * MINUTE);
      expect(runs).toBe(6);
      clock.jumpWall(jump);
      await timers.elapse(5 * MINUTE);
      expect(runs).toBe(11);
      expect(scheduler.healthy()).toBe(true);
      await scheduler.stop(0);
    });
  }
});

describe("Scheduler cron", () => {
  test("a cron task fires at the right wall instants in its time zone, across a daylight saving change", async () => {
    const { scheduler, timers, clock } = harness({ start: new Date("2025-03-07T12:00:00Z"), timezone: "America/New_York" });
    const seen = instants(clock);
    scheduler.add({ name: "nine_am", queue: "default", schedule: { cron: "0 9 * * *" }, run: seen.record });
    scheduler.start();
    await timers.elapse(3 * 24 * HOUR + 2 * HOUR);
    await scheduler.stop(0);
    // 09:00 EST is 14:00Z; from 9 March, 09:00 EDT is 13:00Z.
    expect(seen.runs).toEqual(["2025-03-07T14:00:00.000Z", "2025-03-08T14:00:00.000Z", "2025-03-09T13:00:00.000Z", "2025-03-10T13:00:00.000Z"]);
  });

  test("a cron task in a half-hour time zone fires on its local quarter hours", async () => {
    const { scheduler, timers, clock } = harness({ start: new Date("2025-06-01T00:00:00Z"), timezone: "Asia/Kolkata" });
    const seen = instants(clock);
    scheduler.add({ name: "quarter", queue: "default", schedule: { cron: "0,15,30,45 6 * * *" }, run: seen.record });
    scheduler.start();
    await timers.elapse(2 * HOUR);
    await scheduler.stop(0);
    // 06:00 IST is 00:30Z.
    expect(seen.runs).toEqual(["2025-06-01T00:30:00.000Z", "2025-06-01T00:45:00.000Z", "2025-06-01T01:00:00.000Z", "2025-06-01T01:15:00.000Z"]);
  });

  test("after a +6 h wall jump a cron task runs once within seconds, then keeps its slots", async () => {
    const { scheduler, timers, clock } = harness({ start: new Date("2025-06-01T12:01:00Z"), timezone: "UTC" });
    const seen = instants(clock);
    scheduler.add({ name: "ten_min", queue: "default", schedule: { cron: "*/10 * * * *" }, run: seen.record });
    scheduler.start();
    await timers.elapse(30 * MINUTE);
    expect(seen.runs).toEqual(["2025-06-01T12:10:00.000Z", "2025-06-01T12:20:00.000Z", "2025-06-01T12:30:00.000Z"]);
    clock.jumpWall(6 * HOUR); // wall now 18:31
    await timers.elapse(MAX_SLEEP_MS);
    expect(seen.runs).toHaveLength(4);
    expect(Date.parse(seen.runs[3] ?? "") - Date.parse("2025-06-01T18:31:00Z")).toBeLessThanOrEqual(MAX_SLEEP_MS);
    await timers.elapse(10 * MINUTE);
    expect(seen.runs.slice(4)).toEqual(["2025-06-01T18:40:00.000Z"]);
    expect(scheduler.healthy()).toBe(true);
    await scheduler.stop(0);
  });

  test("after a −6 h wall jump a cron task repeats no slot it already ran and resumes at the next one", async () => {
    const { scheduler, timers, clock } = harness({ start: new Date("2025-06-01T12:01:00Z"), timezone: "UTC" });
    const seen = instants(clock);
    let interval = 0;
    scheduler.add({ name: "ten_min", queue: "default", schedule: { cron: "*/10 * * * *" }, run: seen.record });
    scheduler.add({ name: "every_minute", queue: "default", schedule: { every: 60 }, run: () => void interval++ });
    scheduler.start();
    await timers.elapse(30 * MINUTE);
    expect(seen.runs).toHaveLength(3);
    clock.jumpWall(-6 * HOUR); // wall now 06:31; the slots up to 12:30 have run
    await timers.elapse(6 * HOUR);
    expect(seen.runs).toHaveLength(3);
    expect(scheduler.healthy()).toBe(true);
    expect(interval).toBe(31 + 6 * 60);
    await timers.elapse(10 * MINUTE); // wall passes 12:40
    expect(seen.runs.slice(3)).toEqual(["2025-06-01T12:40:00.000Z"]);
    await timers.elapse(10 * MINUTE);
    expect(seen.runs.slice(3)).toEqual(["2025-06-01T12:40:00.000Z", "2025-06-01T12:50:00.000Z"]);
    await scheduler.stop(0);
  });

  test("a small backward step right after a slot does not run that slot again", async () => {
    const { scheduler, timers, clock } = harness({ start: new Date("2025-06-01T11:59:00Z"), timezone: "UTC" });
    const seen = instants(clock);
    scheduler.add({ name: "hourly", queue: "default", schedule: { cron: "0 * * * *" }, run: seen.record });
    scheduler.start();
    await timers.elapse(61_000);
    expect(seen.runs).toEqual(["2025-06-01T12:00:00.000Z"]);
    clock.jumpWall(-2_000);
    await timers.elapse(HOUR + 5_000);
    expect(seen.runs).toEqual(["2025-06-01T12:00:00.000Z", "2025-06-01T13:00:00.000Z"]);
    await scheduler.stop(0);
  });
});

describe("Scheduler health", () => {
  test("the scheduler is healthy while its loop wakes and unhealthy once it has not woken for twice its longest sleep", async () => {
    const { scheduler, timers, clock } = harness();
    scheduler.add({ name: "daily", queue: "default", schedule: { cron: "0 3 * * *" }, run: () => 1 });
    expect(scheduler.healthy()).toBe(true);
    scheduler.start();
    await timers.elapse(HOUR);
    expect(scheduler.healthy()).toBe(true);
    clock.advance(2 * MAX_SLEEP_MS + 1);
    expect(scheduler.healthy()).toBe(false);
    await timers.flush();
    expect(scheduler.healthy()).toBe(true);
    await scheduler.stop(0);
    expect(scheduler.healthy()).toBe(true);
  });
});
