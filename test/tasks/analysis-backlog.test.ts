/**
 * @module The analysis backlog's three policies, driven by an analysis the test finishes by hand
 * (a model as slow as the test likes): recordings run one at a time, oldest first; a full backlog
 * defers the newest (`defer`), skips the oldest (`skip_oldest`) or thins the densest spot (`thin`);
 * skipped recordings reach `onSkip` and never the model; its size and age show in its status.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import type { ModelOutput, Recording } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { AnalysisBacklog, thinIndex, type BacklogPolicy } from "../../src/tasks/analysis-backlog.ts";
import { deployment as makeDeployment, recording as makeRecording } from "../contracts/store.contract.ts";

const START = new Date("2026-05-01T06:00:00Z");
const quiet = createConsola({ level: -999 });
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-backlog-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Recording n starts n × 10 s after START; its file exists in temp. */
function recordingAt(n: number, site = makeDeployment()): Recording {
  const path = join(dir, `r${n}.wav`);
  writeFileSync(path, "");
  return makeRecording({ id: crypto.randomUUID(), deployment: site, path, created_on: new Date(START.getTime() + n * 10_000) });
}

/** A backlog whose analysis waits until the test calls `finish()`; it records what it analysed. */
function rig(policy: BacklogPolicy, max: number) {
  const clock = new ManualClock(START);
  const analysed: number[] = [];
  const skipped: number[] = [];
  const release: Array<() => void> = [];
  const index = new Map<string, number>();
  const backlog = new AnalysisBacklog({
    policy,
    max,
    clock,
    logger: quiet,
    onSkip: (r) => skipped.push(index.get(r.id) ?? -1),
    analyse: async (r): Promise<ModelOutput> => {
      await new Promise<void>((resolve) => release.push(resolve));
      analysed.push(index.get(r.id) ?? -1);
      return { id: crypto.randomUUID(), name_model: "slow", recording: r, detections: [], created_on: clock.now() };
    },
  });
  const submit = (n: number) => {
    const r = recordingAt(n);
    index.set(r.id, n);
    return backlog.submit(r);
  };
  /** Lets the running analysis finish and waits until the next one has started (or none is left). */
  const finish = async () => {
    release.shift()?.();
    for (let i = 0; i < 5; i++) await Bun.sleep(0);
  };
  return { backlog, clock, analysed, skipped, submit, finish, release };
}

describe("the analysis backlog", () => {
  test("runs one recording at a time, oldest first, and resolves each submit with its output", async () => {
    const r = rig("defer", 10);
    const results = [0, 1, 2].map((n) => r.submit(n));
    await Bun.sleep(0);
    expect(r.release.length).toBe(1);
    expect(r.backlog.size).toBe(2);
    for (let i = 0; i < 3; i++) await r.finish();
    const outputs = await Promise.all(results);
    expect(outputs.map((o) => o?.name_model)).toEqual(["slow", "slow", "slow"]);
    expect(r.analysed).toEqual([0, 1, 2]);
    expect(r.backlog.size).toBe(0);
  });

  test("defer: a recording arriving to a full backlog waits outside it and is analysed once there is room; none is skipped", async () => {
    const r = rig("defer", 2);
    const results = [0, 1, 2, 3, 4].map((n) => r.submit(n));
    await Bun.sleep(0);
    // 0 runs, 1 and 2 fill the backlog, 3 and 4 are deferred.
    expect(r.backlog.size).toBe(4);
    expect(r.backlog.status().figures).toMatchObject({ backlog: 4, backlog_deferred: 2, backlog_skipped: 0, backlog_policy: "defer", backlog_max: 2 });
    // A deferred submit resolves at once (the scheduler's task ends); its analysis comes later.
    expect(await results[3]).toBeUndefined();
    for (let i = 0; i < 5; i++) await r.finish();
    expect(r.analysed).toEqual([0, 1, 2, 3, 4]);
    expect(r.skipped).toEqual([]);
  });

  test("defer: a recording arriving once there is room waits behind the older deferred ones", async () => {
    const r = rig("defer", 2);
    for (const n of [0, 1, 2, 3, 4]) void r.submit(n);
    await Bun.sleep(0);
    await r.finish();
    void r.submit(5);
    for (let i = 0; i < 6; i++) await r.finish();
    expect(r.analysed).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("defer: a deferred recording whose file was filed meanwhile (by file management's timeout) is not analysed", async () => {
    const r = rig("defer", 1);
    const recordings = [0, 1, 2].map((n) => r.submit(n));
    await Bun.sleep(0);
    rmSync(join(dir, "r2.wav"));
    for (let i = 0; i < 3; i++) await r.finish();
    await Promise.all(recordings);
    expect(r.analysed).toEqual([0, 1]);
  });

  test("skip_oldest: a full backlog gives up its oldest waiting recording, so analysis stays close to live", async () => {
    const r = rig("skip_oldest", 2);
    const results = [0, 1, 2, 3, 4].map((n) => r.submit(n));
    await Bun.sleep(0);
    expect(r.skipped).toEqual([1, 2]);
    expect(r.backlog.size).toBe(2);
    expect(await results[1]).toBeUndefined();
    for (let i = 0; i < 3; i++) await r.finish();
    expect(r.analysed).toEqual([0, 3, 4]);
    expect(r.backlog.status().figures).toMatchObject({ backlog: 0, backlog_skipped: 2, analysed: 3 });
  });

  test("thin: a full backlog gives up the recording whose neighbours are closest in time, keeping the oldest and the newest", async () => {
    const r = rig("thin", 4);
    // 0 runs; 1..4 fill the backlog; 5..8 each make it thin once.
    for (let n = 0; n <= 8; n++) void r.submit(n);
    await Bun.sleep(0);
    expect(r.skipped).toEqual([2, 4, 6, 7]);
    for (let i = 0; i < 5; i++) await r.finish();
    expect(r.analysed).toEqual([0, 1, 3, 5, 8]);
    // Evenly spread: no two analysed recordings after the first are closer than 2 recordings apart.
    const gaps = r.analysed.slice(2).map((n, i) => n - (r.analysed[i + 1] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2);
  });

  test("thinIndex picks the inner start whose neighbours are closest, the earliest on a tie, and none with two or fewer", () => {
    expect(thinIndex([0, 10, 20, 30, 40])).toBe(1);
    expect(thinIndex([0, 20, 30, 40, 50])).toBe(2);
    expect(thinIndex([0, 40])).toBe(-1);
  });

  test("its age is that of the oldest recording waiting or running, and its size counts only the waiting ones", async () => {
    const r = rig("defer", 5);
    void r.submit(0);
    void r.submit(1);
    await Bun.sleep(0);
    r.clock.advance(95_000);
    expect(r.backlog.size).toBe(1);
    expect(r.backlog.ageSeconds()).toBe(95);
    expect(r.backlog.status().figures?.backlog_age_s).toBe(95);
  });

  test("close resolves the waiting submits with nothing and takes no more in", async () => {
    const r = rig("defer", 5);
    const first = r.submit(0);
    const waiting = r.submit(1);
    await Bun.sleep(0);
    r.backlog.close();
    expect(await waiting).toBeUndefined();
    expect(await r.submit(2)).toBeUndefined();
    await r.finish();
    expect((await first)?.name_model).toBe("slow");
    expect(r.analysed).toEqual([0]);
  });

  test("drain takes no more in and resolves only once the running analysis has ended", async () => {
    const r = rig("defer", 5);
    void r.submit(0);
    const waiting = r.submit(1);
    await Bun.sleep(0);
    let drained = false;
    const draining = r.backlog.drain().then(() => (drained = true));
    expect(await waiting).toBeUndefined();
    await Bun.sleep(5);
    expect(drained).toBe(false);
    await r.finish();
    await draining;
    expect(r.analysed).toEqual([0]);
  });
});
