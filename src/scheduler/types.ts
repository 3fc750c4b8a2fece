/**
 * @module The scheduler's vocabulary: how a task is scheduled, what it runs, and the figures
 * the scheduler keeps about it. Nothing here knows about programs or the CLI.
 */

/**
 * When a task runs:
 * - `every`: every N seconds on the monotonic clock, first at start;
 * - `cron`: at the wall-clock slots of a cron pattern (croner syntax), in the scheduler's time zone;
 * - `after`: as a callback, with the result of the named task whenever it returns a value.
 */
export type Schedule = { every: number } | { cron: string } | { after: string };

export interface TaskDefinition<I = unknown, R = unknown> {
  /** Unique among the scheduler's tasks. */
  name: string;
  /** A queue declared in the scheduler's `queues`. */
  queue: string;
  /** No schedule: the task runs only when asked (`Scheduler.run`). */
  schedule?: Schedule;
  /** Returning undefined or null means "nothing for the callbacks". A throw is counted as a failure. */
  run(input: I): R | undefined | void | Promise<R | undefined | void>;
}

export interface TaskStats {
  /** Runs started (a failure counts here and in `failures`). */
  runs: number;
  failures: number;
  /** Scheduled ticks skipped because the previous run was still running or queued. */
  skips: number;
  lastStart: Date | null;
  lastSuccess: Date | null;
  lastFailure: Date | null;
  lastError: string | null;
  /** Runs in progress now. */
  running: number;
}

export interface TaskEvent {
  task: string;
  kind: "start" | "success" | "failure" | "skip";
  error?: unknown;
  at: Date;
}

export type TaskEventListener = (event: TaskEvent) => void;
