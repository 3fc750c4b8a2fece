/**
 * @module Benchmark of the in-process scheduler, side by side with the bare runtime in one run:
 * the cost of a run through `Scheduler.run` (queue semaphore, stats, events) against awaiting
 * the function directly, and how late interval ticks start against a bare `setInterval`.
 * Run: ./node_modules/.bin/bun bench/scheduler.ts. It prints figures and asserts nothing.
 */
import { createConsola } from "consola";
import { Scheduler } from "../src/scheduler/scheduler.ts";

const quiet = createConsola({ level: -999 });
const N = 100_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function overhead(): Promise<void> {
  const noop = async (): Promise<number> => 1;
  for (let i = 0; i < 10_000; i++) await noop();
  let t = performance.now();
  for (let i = 0; i < N; i++) await noop();
  const direct = (performance.now() - t) / N;

  for (const limit of [1, null]) {
    const scheduler = new Scheduler({ queues: { q: limit }, logger: quiet });
    scheduler.add({ name: "noop", queue: "q", run: noop });
    scheduler.onTaskEvent(() => {});
    for (let i = 0; i < 10_000; i++) await scheduler.run("noop");
    t = performance.now();
    for (let i = 0; i < N; i++) await scheduler.run("noop");
    const viaScheduler = (performance.now() - t) / N;
    await scheduler.stop(0);
    console.log(
      `run overhead, queue concurrency ${limit ?? "unbounded"}: direct await ${(direct * 1000).toFixed(2)} µs, ` +
        `Scheduler.run ${(viaScheduler * 1000).toFixed(2)} µs per run (${(viaScheduler / direct).toFixed(1)}× direct, ` +
        `+${((viaScheduler - direct) * 1000).toFixed(2)} µs)`,
    );
  }
}

async function lateness(periodMs: number, durationMs: number): Promise<void> {
  const ours: number[] = [];
  const scheduler = new Scheduler({ queues: { q: 1 }, logger: quiet });
  let anchor = 0;
  let k = 0;
  scheduler.add({ name: "tick", queue: "q", schedule: { every: periodMs / 1000 }, run: () => {
    const now = performance.now();
    if (k === 0) anchor = now;
    else ours.push(now - (anchor + k * periodMs));
    k++;
  } });
  scheduler.start();
  await Bun.sleep(durationMs);
  await scheduler.stop(1000);

  const bare: number[] = [];
  const start = performance.now();
  let j = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      j++;
      bare.push(performance.now() - (start + j * periodMs));
      if (performance.now() - start >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, periodMs);
  });

  for (const [name, figures] of [["Scheduler every", ours], ["bare setInterval", bare]] as const) {
    const sorted = [...figures].sort((a, b) => a - b);
    console.log(
      `tick lateness, ${periodMs} ms period, ${name}: n=${sorted.length} p50 ${percentile(sorted, 50).toFixed(2)} ms, ` +
        `p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(2)} ms, ` +
        `drift at end ${(figures.at(-1) ?? NaN).toFixed(2)} ms`,
    );
  }
}

console.log(`Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores`);
await overhead();
await lateness(50, 3000);
