/**
 * @module Test helpers for the scheduler: a scheduler on a ManualClock driven by ManualTimers, a
 * consola instance that keeps its lines, and a gate a task can wait on.
 */
import { createConsola, type ConsolaInstance, type LogObject } from "consola";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { ManualTimers } from "../../src/scheduler/manual-timers.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";

export const QUEUES = { recording: 1, detection: 1, default: null };

export interface CapturedLog {
  logger: ConsolaInstance;
  lines: LogObject[];
  /** Lines of one type, each as its arguments joined by spaces. */
  text(type: string): string[];
}

export function captureLog(): CapturedLog {
  const lines: LogObject[] = [];
  const logger = createConsola({ level: 5, reporters: [{ log: (entry) => lines.push(entry) }] });
  return {
    logger,
    lines,
    text: (type) => lines.filter((l) => l.type === type).map((l) => l.args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ")),
  };
}

export interface Harness {
  clock: ManualClock;
  timers: ManualTimers;
  log: CapturedLog;
  scheduler: Scheduler;
}

export function harness(options: { start?: Date; timezone?: string; queues?: Record<string, number | null> } = {}): Harness {
  const clock = new ManualClock(options.start ?? new Date("2025-06-01T12:00:00Z"), 1_000_000);
  const timers = new ManualTimers(clock);
  const log = captureLog();
  const scheduler = new Scheduler({ queues: options.queues ?? QUEUES, clock, timers, timezone: options.timezone, logger: log.logger });
  return { clock, timers, log, scheduler };
}

/** A promise a task can await, opened by the test. */
export class Gate {
  #open: () => void = () => {};
  readonly promise: Promise<void>;
  constructor() {
    this.promise = new Promise((resolve) => {
      this.#open = resolve;
    });
  }
  open(): void {
    this.#open();
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
