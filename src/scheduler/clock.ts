/**
 * @module Clocks and timers the scheduler reads time through. Schedules run on the monotonic
 * clock, which NTP cannot move; wall time is read only to place cron slots and to stamp stats.
 * `ManualClock` lets tests move the two apart (`jumpWall`) as NTP does on a Pi without an RTC,
 * and `Timers` lets them decide when timer callbacks fire (see manual-timers.ts).
 */

export interface Clock {
  /** Wall-clock time; it may jump in either direction. */
  now(): Date;
  /** Monotonic milliseconds from an arbitrary origin; never goes back. */
  monotonic(): number;
}

/** The real clock: `Date` for wall time and `performance.now()` for monotonic time. */
export const systemClock: Clock = {
  now: () => new Date(),
  monotonic: () => performance.now(),
};

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  #wallMs: number;
  #monotonicMs: number;

  constructor(start: Date | number = Date.UTC(2025, 0, 1), monotonicStart = 0) {
    this.#wallMs = typeof start === "number" ? start : start.getTime();
    this.#monotonicMs = monotonicStart;
  }

  now(): Date {
    return new Date(this.#wallMs);
  }

  monotonic(): number {
    return this.#monotonicMs;
  }

  /** Lets `ms` pass: both clocks move. Timers do not fire (use ManualTimers for that). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance needs a non-negative duration, got ${ms}`);
    this.#wallMs += ms;
    this.#monotonicMs += ms;
  }

  /** Moves only the wall clock by `ms` (negative goes back), as an NTP step does. */
  jumpWall(ms: number): void {
    this.#wallMs += ms;
  }

  /** Sets the wall clock to `date`, leaving monotonic time alone. */
  setWall(date: Date): void {
    this.#wallMs = date.getTime();
  }
}

/** Opaque handle returned by `Timers.setTimeout`. */
export type TimerHandle = unknown;

/** The two timer functions the scheduler needs; the globals by default. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
