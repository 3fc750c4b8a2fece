/**
 * @module When a scheduled task is due. Each plan is polled by the scheduler's loop and answers
 * two things: is the task due now, and how long may the loop sleep before asking again. Interval
 * plans count on the monotonic clock from the start instant (start + k·period), so run length
 * never drifts them and a long stall yields one run, then the next slot on the grid. Cron plans
 * read the wall clock at every poll and remember the last instant they fired, so a forward jump
 * fires once and a backward jump never fires a slot a second time.
 */
import { Cron } from "croner";
import { ConfigError } from "../errors.ts";
import type { Schedule } from "./types.ts";

export interface Poll {
  due: boolean;
  /** Milliseconds until this plan needs polling again (Infinity: never). */
  waitMs: number;
}

export interface Plan {
  /** Called once, when the scheduler starts. */
  start(monotonicMs: number, wallMs: number): void;
  /** Called on every loop wake; when it answers `due`, the slot counts as consumed. */
  poll(monotonicMs: number, wallMs: number): Poll;
}

export class IntervalPlan implements Plan {
  readonly periodMs: number;
  #anchor = 0;
  #due = 0;

  constructor(periodMs: number) {
    this.periodMs = periodMs;
  }

  start(monotonicMs: number): void {
    this.#anchor = monotonicMs;
    this.#due = monotonicMs;
  }

  poll(monotonicMs: number): Poll {
    const due = monotonicMs >= this.#due;
    if (due) {
      const slot = Math.floor((monotonicMs - this.#anchor) / this.periodMs) + 1;
      this.#due = this.#anchor + slot * this.periodMs;
    }
    return { due, waitMs: this.#due - monotonicMs };
  }
}

export class CronPlan implements Plan {
  readonly cron: Cron;
  #next: number | null = null;
  #lastFired: number | null = null;

  constructor(cron: Cron) {
    this.cron = cron;
  }

  start(_monotonicMs: number, wallMs: number): void {
    this.#plan(wallMs);
  }

  poll(_monotonicMs: number, wallMs: number): Poll {
    const due = this.#next !== null && wallMs >= this.#next;
    if (due) this.#lastFired = wallMs;
    this.#plan(wallMs);
    return { due, waitMs: this.#next === null ? Infinity : this.#next - wallMs };
  }

  /** The next slot after both now and the last firing, so a clock set back repeats nothing. */
  #plan(wallMs: number): void {
    const from = this.#lastFired === null ? wallMs : Math.max(wallMs, this.#lastFired);
    this.#next = this.cron.nextRun(new Date(from))?.getTime() ?? null;
  }
}

/** Builds the plan of a schedule; `after` schedules and no schedule have none. */
export function planFor(task: string, schedule: Schedule | undefined, timezone: string | undefined): Plan | null {
  if (!schedule || "after" in schedule) return null;
  if ("every" in schedule) {
    if (!(Number.isFinite(schedule.every) && schedule.every > 0)) {
      throw new ConfigError(`Task "${task}" has an invalid interval: every ${schedule.every} s`, {
        help: "Give the interval as a positive number of seconds",
      });
    }
    return new IntervalPlan(schedule.every * 1000);
  }
  try {
    return new CronPlan(new Cron(schedule.cron, { timezone }));
  } catch (error) {
    throw new ConfigError(`Task "${task}" has an invalid cron schedule "${schedule.cron}": ${error instanceof Error ? error.message : String(error)}`, {
      help: 'Use a cron pattern such as "*/10 * * * *" (minute hour day month weekday)',
      cause: error,
    });
  }
}
