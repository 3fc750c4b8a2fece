import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { AcoupiError } from "../../src/errors.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import type { TaskEvent } from "../../src/scheduler/types.ts";
import { captureLog, Gate, harness, QUEUES } from "./_helpers.ts";

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

describe("Scheduler queues", () => {
  test("two tasks on the recording queue never overlap", async () => {
    const { scheduler, timers } = harness();
    let active = 0;
    let most = 0;
    const gates: Gate[] = [];
    const body = async () => {
      active++;
      most = Math.max(most, active);
      const gate = new Gate();
      gates.push(gate);
      await gate.promise;
      active--;
    };
    scheduler.add({ name: "record_a", queue: "recording", schedule: { every: 10 }, run: body });
    scheduler.add({ name: "record_b", queue: "recording", schedule: { every: 10 }, run: body });
    scheduler.start();
    await timers.flush();
    expect(scheduler.stats().record_a?.running).toBe(1);
    expect(scheduler.stats().record_b?.running).toBe(0);
    gates.shift()?.open();
    await timers.flush();
    expect(scheduler.stats().record_a?.running).toBe(0);
    expect(scheduler.stats().record_b?.running).toBe(1);
    for (let i = 0; i < 12; i++) {
      await timers.elapse(5_000);
      gates.shift()?.open();
    }
    await scheduler.stop(0);
    expect(most).toBe(1);
    expect(scheduler.stats().record_a?.runs).toBeGreaterThan(2);
    expect(scheduler.stats().record_b?.runs).toBeGreaterThan(2);
  });

  test("tasks on the recording queue never overlap under real timers and random run lengths", async () => {
    const scheduler = new Scheduler({ queues: QUEUES, logger: captureLog().logger });
    let active = 0;
    let most = 0;
    const body = async () => {
      active++;
      most = Math.max(most, active);
      await Bun.sleep(Math.random() * 8);
      active--;
    };
    scheduler.add({ name: "a", queue: "recording", schedule: { every: 0.005 }, run: body });
    scheduler.add({ name: "b", queue: "recording", schedule: { every: 0.003 }, run: body });
    scheduler.start();
    await Bun.sleep(150);
    expect((await scheduler.stop(1_000)).drained).toBe(true);
    expect(most).toBe(1);
    const stats = scheduler.stats();
    expect(stats.a?.runs).toBeGreaterThan(0);
    expect(stats.b?.runs).toBeGreaterThan(0);
  });

  test("tasks on an unbounded queue run at the same time", async () => {
    const { scheduler, timers } = harness();
    const gate = new Gate();
    for (const name of ["one", "two", "three"]) scheduler.add({ name, queue: "default", run: () => gate.promise });
    const runs = [scheduler.run("one"), scheduler.run("two"), scheduler.run("three")];
    await timers.flush();
    expect(Object.values(scheduler.stats()).map((s) => s.running)).toEqual([1, 1, 1]);
    gate.open();
    await Promise.all(runs);
    expect(scheduler.idle).toBe(true);
  });

  test("a task on an undeclared queue is refused with the worker config message", () => {
    const { scheduler } = harness();
    const add = () => scheduler.add({ name: "upload", queue: "uploads", run: () => 1 });
    expect(add).toThrow("Queue uploads is not declared in the worker config");
    expect(add).toThrow(AcoupiError);
  });

  test("a second task with the same name is refused", () => {
    const { scheduler } = harness();
    scheduler.add({ name: "heartbeat", queue: "default", run: () => 1 });
    expect(() => scheduler.add({ name: "heartbeat", queue: "default", run: () => 2 })).toThrow("Task heartbeat is registered twice");
  });

  test("a callback of an unknown task, or a loop of callbacks, is refused at start", () => {
    const orphan = harness().scheduler;
    orphan.add({ name: "detect", queue: "detection", schedule: { after: "record" }, run: () => 1 });
    expect(() => orphan.start()).toThrow("Task detect runs after task record, which is not registered");
    const loop = harness().scheduler;
    loop.add({ name: "a", queue: "default", schedule: { after: "b" }, run: () => 1 });
    loop.add({ name: "b", queue: "default", schedule: { after: "a" }, run: () => 1 });
    expect(() => loop.start()).toThrow("loop of callbacks");
  });

  test("an invalid cron pattern, interval or time zone is refused", () => {
    const { scheduler } = harness();
    expect(() => scheduler.add({ name: "c", queue: "default", schedule: { cron: "61 * * * *" }, run: () => 1 })).toThrow('Task "c" has an invalid cron schedule "61 * * * *"');
    expect(() => scheduler.add({ name: "e", queue: "default", schedule: { every: 0 }, run: () => 1 })).toThrow('Task "e" has an invalid interval');
    expect(() => new Scheduler({ queues: QUEUES, timezone: "Mars/Olympus_Mons" })).toThrow('Unknown time zone "Mars/Olympus_Mons"');
  });
});

describe("Scheduler callbacks", () => {
  test("callbacks receive the result of their task and are skipped when it returns nothing", async () => {
    const { scheduler, timers } = harness();
    const results: Array<{ n: number } | null | undefined> = [{ n: 1 }, undefined, null, { n: 4 }];
    let call = 0;
    const received: unknown[] = [];
    scheduler.add({ name: "record", queue: "recording", schedule: { every: 10 }, run: () => results[call++] });
    scheduler.add({ name: "detect", queue: "detection", schedule: { after: "record" }, run: (input) => void received.push(input) });
    scheduler.add({ name: "log_it", queue: "default", schedule: { after: "record" }, run: (input) => void received.push(["log", input]) });
    scheduler.start();
    await timers.elapse(35_000);
    await scheduler.stop(0);
    expect(scheduler.stats().record?.runs).toBe(4);
    expect(received).toEqual([{ n: 1 }, ["log", { n: 1 }], { n: 4 }, ["log", { n: 4 }]]);
    expect(scheduler.stats().detect?.runs).toBe(2);
  });

  test("a failing callback is counted on the callback, not on its task", async () => {
    const { scheduler, timers, log } = harness();
    scheduler.add({ name: "record", queue: "recording", schedule: { every: 10 }, run: () => "file.wav" });
    scheduler.add({ name: "detect", queue: "detection", schedule: { after: "record" }, run: () => {
      throw new Error("model missing");
    } });
    scheduler.start();
    await timers.elapse(15_000);
    await scheduler.stop(0);
    const stats = scheduler.stats();
    expect(stats.record).toMatchObject({ runs: 2, failures: 0 });
    expect(stats.detect).toMatchObject({ runs: 2, failures: 2, lastError: "model missing" });
    expect(log.text("error").every((line) => line.includes("Task detect failed"))).toBe(true);
  });

  test("run returns the result, triggers the callbacks, and rethrows a failure after counting it", async () => {
    const { scheduler, timers, log } = harness();
    const received: unknown[] = [];
    let fail = false;
    scheduler.add({ name: "record", queue: "recording", run: () => {
      if (fail) throw new Error("device busy");
      return { path: "a.wav" };
    } });
    scheduler.add({ name: "detect", queue: "detection", schedule: { after: "record" }, run: (input) => void received.push(input) });
    expect(await scheduler.run("record")).toEqual({ path: "a.wav" });
    await timers.flush();
    expect(scheduler.idle).toBe(true);
    expect(received).toEqual([{ path: "a.wav" }]);
    fail = true;
    await expect(scheduler.run("record")).rejects.toThrow("device busy");
    expect(scheduler.stats().record).toMatchObject({ runs: 2, failures: 1, lastError: "device busy" });
    expect(log.text("error")).toEqual([]);
    await expect(scheduler.run("nope")).rejects.toThrow("Task nope not found");
  });

  test("the scheduler is not idle until the callbacks of a run have finished", async () => {
    const { scheduler, timers } = harness();
    const gate = new Gate();
    scheduler.add({ name: "record", queue: "recording", run: () => "a.wav" });
    scheduler.add({ name: "detect", queue: "detection", schedule: { after: "record" }, run: () => gate.promise });
    await scheduler.run("record");
    await timers.flush();
    expect(scheduler.idle).toBe(false);
    gate.open();
    await timers.flush();
    expect(scheduler.idle).toBe(true);
  });
});

describe("Scheduler failures and overruns", () => {
  test("a task that throws does not stop the others and is counted and logged by name", async () => {
    const { scheduler, timers, log } = harness();
    let good = 0;
    scheduler.add({ name: "broken", queue: "recording", schedule: { every: 10 }, run: () => {
      throw new Error("boom");
    } });
    scheduler.add({ name: "async_broken", queue: "default", schedule: { every: 10 }, run: async () => {
      await Promise.resolve();
      throw new TypeError("late boom");
    } });
    scheduler.add({ name: "good", queue: "recording", schedule: { every: 10 }, run: () => void good++ });
    scheduler.start();
    await timers.elapse(45_000);
    await scheduler.stop(0);
    const stats = scheduler.stats();
    expect(stats.broken).toMatchObject({ runs: 5, failures: 5, lastError: "boom" });
    expect(stats.async_broken).toMatchObject({ runs: 5, failures: 5, lastError: "late boom" });
    expect(stats.broken?.lastFailure).toEqual(new Date("2025-06-01T12:00:40Z"));
    expect(good).toBe(5);
    expect(stats.good).toMatchObject({ runs: 5, failures: 0, lastSuccess: new Date("2025-06-01T12:00:40Z") });
    const errors = log.text("error");
    expect(errors.filter((l) => l.startsWith("Task broken failed: boom"))).toHaveLength(5);
    expect(errors.filter((l) => l.startsWith("Task async_broken failed: late boom"))).toHaveLength(5);
  });

  test("a tick due while the previous run is still going is skipped and counted", async () => {
    const { scheduler, timers } = harness();
    const gate = new Gate();
    const events: TaskEvent[] = [];
    scheduler.onTaskEvent((e) => events.push(e));
    scheduler.add({ name: "slow", queue: "default", schedule: { every: 1 }, run: () => gate.promise });
    scheduler.start();
    await timers.elapse(3_500);
    expect(scheduler.stats().slow).toMatchObject({ runs: 1, skips: 3, running: 1 });
    gate.open();
    await timers.elapse(1_000);
    expect(scheduler.stats().slow).toMatchObject({ runs: 2, skips: 3, running: 0 });
    expect(events.map((e) => e.kind)).toEqual(["start", "skip", "skip", "skip", "success", "start", "success"]);
    await scheduler.stop(0);
  });

  test("a tick due while the previous run still waits for its queue is skipped too", async () => {
    const { scheduler, timers } = harness();
    const gate = new Gate();
    scheduler.add({ name: "hog", queue: "recording", run: () => gate.promise });
    scheduler.add({ name: "queued", queue: "recording", schedule: { every: 1 }, run: () => 1 });
    const hog = scheduler.run("hog");
    scheduler.start();
    await timers.elapse(2_500);
    expect(scheduler.stats().queued).toMatchObject({ runs: 0, skips: 2 });
    gate.open();
    await hog;
    await timers.elapse(1_000);
    expect(scheduler.stats().queued).toMatchObject({ runs: 2, skips: 2 });
    await scheduler.stop(0);
  });

  test("a failing event listener is logged and does not disturb the task", async () => {
    const { scheduler, log } = harness();
    const stop = scheduler.onTaskEvent(() => {
      throw new Error("listener bug");
    });
    scheduler.add({ name: "t", queue: "default", run: () => 7 });
    expect(await scheduler.run("t")).toBe(7);
    expect(log.text("error")[0]).toContain("listener failed on start of task t");
    stop();
    log.lines.length = 0;
    await scheduler.run("t");
    expect(log.text("error")).toEqual([]);
  });
});

describe("Scheduler stop", () => {
  test("stop drains a running task, drops queued runs and callbacks, and refuses new runs", async () => {
    const { scheduler, timers } = harness();
    const gate = new Gate();
    const ran: string[] = [];
    scheduler.add({ name: "record", queue: "recording", schedule: { every: 10 }, run: async () => {
      await gate.promise;
      ran.push("record");
      return "a.wav";
    } });
    scheduler.add({ name: "waiting", queue: "recording", run: () => void ran.push("waiting") });
    scheduler.add({ name: "detect", queue: "detection", schedule: { after: "record" }, run: () => void ran.push("detect") });
    scheduler.start();
    await timers.flush();
    const queued = scheduler.run("waiting");
    let stopped = false;
    const stopping = scheduler.stop(60_000).then((r) => {
      stopped = true;
      return r;
    });
    await expect(queued).rejects.toThrow("Task waiting was not run: the scheduler is stopped");
    await expect(scheduler.run("record")).rejects.toThrow("the scheduler is stopped");
    await timers.flush();
    expect(stopped).toBe(false);
    gate.open();
    expect(await stopping).toEqual({ drained: true });
    expect(ran).toEqual(["record"]);
    expect(scheduler.stats().record).toMatchObject({ runs: 1, running: 0 });
    expect(timers.pending).toBe(0);
    await timers.elapse(60_000);
    expect(scheduler.stats().record?.runs).toBe(1);
  });

  test("stop reports not drained when a run outlasts the grace period", async () => {
    const { scheduler, timers } = harness();
    scheduler.add({ name: "stuck", queue: "default", schedule: { every: 10 }, run: () => new Gate().promise });
    scheduler.start();
    await timers.flush();
    const stopping = scheduler.stop(2_000);
    await timers.elapse(2_000);
    expect(await stopping).toEqual({ drained: false });
    expect(timers.pending).toBe(0);
  });
});
