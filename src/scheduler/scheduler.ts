/**
 * @module The in-process scheduler that replaces acoupi's Celery workers and beat. Each named
 * queue is a Semaphore with its concurrency; tasks run on a schedule (see _plans.ts), as
 * callbacks of another task's result, or on demand. One loop timer, never sleeping more than
 * MAX_SLEEP_MS, polls every plan, so wall-clock jumps are noticed within seconds and the loop's
 * last wake tells the watchdog whether it is alive. A task that throws is caught, logged, counted
 * and reported as an event; it never stops the scheduler.
 */
import { assertTimeZone } from "../time/zoned-clock.ts";
import type { ConsolaInstance } from "consola";
import { AcoupiError, ConfigError } from "../errors.ts";
import { logger as makeLogger } from "../log.ts";
import { systemClock, systemTimers, type Clock, type TimerHandle, type Timers } from "./clock.ts";
import { checkCallbackChains, parentOf } from "./_callbacks.ts";
import { planFor, type Plan } from "./_plans.ts";
import { Semaphore } from "./semaphore.ts";
import type { TaskDefinition, TaskEvent, TaskEventListener, TaskStats } from "./types.ts";

/** Longest the loop sleeps before re-reading the clocks; healthy() allows twice this. */
export const MAX_SLEEP_MS = 10_000;

export interface SchedulerOptions {
  /** Concurrency of each queue; null is unbounded. */
  queues: Record<string, number | null>;
  clock?: Clock;
  /** IANA time zone for cron schedules; the host's zone if absent. */
  timezone?: string;
  logger?: ConsolaInstance;
  /** Timer functions; the globals unless a test drives time itself. */
  timers?: Timers;
}

interface Entry {
  def: TaskDefinition;
  plan: Plan | null;
  semaphore: Semaphore;
  stats: TaskStats;
  /** Runs queued for their semaphore. */
  waiting: number;
}

type Outcome = { kind: "success"; value: unknown } | { kind: "failure"; error: unknown } | { kind: "dropped" };

function emptyStats(): TaskStats {
  return { runs: 0, failures: 0, skips: 0, lastStart: null, lastSuccess: null, lastFailure: null, lastError: null, running: 0 };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stoppedError(task: string): AcoupiError {
  return new AcoupiError("scheduler-stopped", `Task ${task} was not run: the scheduler is stopped`);
}

export class Scheduler {
  #clock: Clock;
  #timers: Timers;
  #timezone: string | undefined;
  #log: ConsolaInstance;
  #queues = new Map<string, Semaphore>();
  #entries = new Map<string, Entry>();
  #listeners = new Set<TaskEventListener>();
  /** Settles when a started run ends, whatever its outcome. */
  #inflight = new Set<Promise<void>>();
  #abort = new AbortController();
  #loopTimer: TimerHandle | null = null;
  #lastWake = 0;
  #started = false;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#log = options.logger ?? makeLogger("scheduler");
    if (options.timezone !== undefined) assertTimeZone(options.timezone);
    this.#timezone = options.timezone;
    for (const [name, limit] of Object.entries(options.queues)) this.#queues.set(name, new Semaphore(limit));
  }

  /** Registers a task. Its queue must be declared; `after` targets are checked at start. */
  add(task: TaskDefinition): void {
    if (this.#started || this.#stopped) {
      throw new AcoupiError("scheduler-started", `Task ${task.name} cannot be added: the scheduler has already started`);
    }
    const semaphore = this.#queues.get(task.queue);
    if (!semaphore) {
      throw new ConfigError(`Queue ${task.queue} is not declared in the worker config`, {
        help: `Declared queues: ${[...this.#queues.keys()].join(", ")}. Route task ${task.name} to one of them or declare "${task.queue}"`,
      });
    }
    if (this.#entries.has(task.name)) {
      throw new ConfigError(`Task ${task.name} is registered twice`, { help: "Give each task a distinct name" });
    }
    const plan = planFor(task.name, task.schedule, this.#timezone);
    this.#entries.set(task.name, { def: task, plan, semaphore, stats: emptyStats(), waiting: 0 });
  }

  /** Starts the schedules: interval tasks run at once, then every period. */
  start(): void {
    if (this.#stopped) throw new AcoupiError("scheduler-stopped", "The scheduler cannot start again once stopped");
    if (this.#started) throw new AcoupiError("scheduler-started", "The scheduler is already running");
    checkCallbackChains(this.#definitions());
    this.#started = true;
    const mono = this.#clock.monotonic();
    const wall = this.#clock.now().getTime();
    for (const entry of this.#entries.values()) entry.plan?.start(mono, wall);
    this.#wake();
  }

  /**
   * Starts no new run (queued runs and pending callbacks are dropped), clears the timers and
   * waits up to `graceMs` for the running ones. `drained` is false if some were still running.
   */
  async stop(graceMs = 10_000): Promise<{ drained: boolean }> {
    if (!this.#stopped) {
      this.#stopped = true;
      if (this.#loopTimer !== null) this.#timers.clearTimeout(this.#loopTimer);
      this.#loopTimer = null;
      this.#abort.abort(new AcoupiError("scheduler-stopped", "The scheduler stopped before the run started"));
    }
    if (this.#inflight.size === 0) return { drained: true };
    let graceTimer: TimerHandle | null = null;
    const timedOut = new Promise<boolean>((resolve) => {
      graceTimer = this.#timers.setTimeout(() => resolve(false), graceMs);
    });
    const drained = await Promise.race([Promise.all([...this.#inflight]).then(() => true), timedOut]);
    if (graceTimer !== null) this.#timers.clearTimeout(graceTimer);
    return { drained };
  }

  /**
   * Runs a task now through its queue, then enqueues its callbacks. Resolves with its result;
   * rejects with the task's own error (counted, not logged: the caller reports it).
   */
  async run(name: string, input?: unknown): Promise<unknown> {
    const entry = this.#entries.get(name);
    if (!entry) {
      throw new AcoupiError("task-not-found", `Task ${name} not found`, {
        help: `Registered tasks: ${[...this.#entries.keys()].join(", ") || "none"}`,
      });
    }
    if (this.#stopped) throw stoppedError(name);
    checkCallbackChains(this.#definitions());
    const outcome = await this.#execute(entry, input, false);
    if (outcome.kind === "failure") throw outcome.error;
    if (outcome.kind === "dropped") throw stoppedError(name);
    return outcome.value;
  }

  #definitions(): Map<string, TaskDefinition> {
    return new Map([...this.#entries].map(([name, entry]) => [name, entry.def]));
  }

  /** A copy of every task's figures. */
  stats(): Record<string, TaskStats> {
    const out: Record<string, TaskStats> = {};
    for (const [name, entry] of this.#entries) out[name] = { ...entry.stats };
    return out;
  }

  /** True when no run is in progress or queued. */
  get idle(): boolean {
    for (const entry of this.#entries.values()) if (entry.waiting > 0 || entry.stats.running > 0) return false;
    return true;
  }

  /** Subscribes to task events; returns the unsubscribe function. */
  onTaskEvent(listener: TaskEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** False when the loop has not woken for over twice its longest sleep (a hung event loop). */
  healthy(): boolean {
    if (!this.#started || this.#stopped) return true;
    return this.#clock.monotonic() - this.#lastWake <= 2 * MAX_SLEEP_MS;
  }

  /** The loop: polls every plan, fires what is due, sleeps until the earliest next poll. */
  #wake(): void {
    this.#loopTimer = null;
    if (this.#stopped) return;
    const mono = this.#clock.monotonic();
    const wall = this.#clock.now().getTime();
    this.#lastWake = mono;
    let sleep = MAX_SLEEP_MS;
    for (const entry of this.#entries.values()) {
      if (!entry.plan) continue;
      try {
        const { due, waitMs } = entry.plan.poll(mono, wall);
        if (due) this.#fire(entry);
        sleep = Math.min(sleep, waitMs);
      } catch (error) {
        this.#log.error(`Planning the next run of task ${entry.def.name} failed:`, error);
      }
    }
    this.#loopTimer = this.#timers.setTimeout(() => this.#wake(), Math.max(0, sleep));
  }

  /** A scheduled tick: skipped if the previous run is still running or still queued. */
  #fire(entry: Entry): void {
    if (entry.waiting > 0 || entry.stats.running > 0) {
      entry.stats.skips++;
      this.#log.warn(`Task ${entry.def.name} skipped: its previous run has not finished`);
      this.#emit({ task: entry.def.name, kind: "skip", at: this.#clock.now() });
      return;
    }
    void this.#execute(entry, undefined, true);
  }

  /** Runs one task through its queue. Never rejects: the outcome says what happened. */
  async #execute(entry: Entry, input: unknown, logFailure: boolean): Promise<Outcome> {
    const name = entry.def.name;
    if (this.#stopped) return { kind: "dropped" };
    let release: () => void;
    entry.waiting++;
    try {
      release = await entry.semaphore.acquire(this.#abort.signal);
    } catch (reason) {
      this.#log.debug(`Task ${name} dropped before it started:`, errorText(reason));
      return { kind: "dropped" };
    } finally {
      entry.waiting--;
    }
    if (this.#stopped) {
      release();
      this.#log.debug(`Task ${name} dropped before it started: the scheduler stopped`);
      return { kind: "dropped" };
    }

    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.#inflight.add(done);
    const stats = entry.stats;
    stats.runs++;
    stats.running++;
    stats.lastStart = this.#clock.now();
    this.#emit({ task: name, kind: "start", at: stats.lastStart });
    try {
      const value: unknown = await entry.def.run(input);
      stats.lastSuccess = this.#clock.now();
      this.#emit({ task: name, kind: "success", at: stats.lastSuccess });
      this.#triggerCallbacks(name, value);
      return { kind: "success", value };
    } catch (error) {
      stats.failures++;
      stats.lastFailure = this.#clock.now();
      stats.lastError = errorText(error);
      if (logFailure) this.#log.error(`Task ${name} failed:`, error);
      this.#emit({ task: name, kind: "failure", error, at: stats.lastFailure });
      return { kind: "failure", error };
    } finally {
      stats.running--;
      release();
      this.#inflight.delete(done);
      finish();
    }
  }

  /** Enqueues the callbacks of `parent` with its result; a null or undefined result skips them. */
  #triggerCallbacks(parent: string, value: unknown): void {
    for (const entry of this.#entries.values()) {
      if (parentOf(entry.def) !== parent) continue;
      if (value === undefined || value === null) {
        this.#log.debug(`Task ${entry.def.name} not run: task ${parent} returned nothing`);
        continue;
      }
      void this.#execute(entry, value, true);
    }
  }

  #emit(event: TaskEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#log.error(`A task event listener failed on ${event.kind} of task ${event.task}:`, error);
      }
    }
  }
}
