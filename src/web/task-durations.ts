/**
 * @module TaskDurations: how long each task's runs take, learned from the scheduler's task
 * events (start, then success or failure), for the Prometheus summary on /metrics. It keeps three
 * numbers per task, so its memory does not grow with the runs.
 */
import type { TaskEvent } from "../scheduler/types.ts";

export interface DurationStats {
  count: number;
  sumS: number;
  lastS: number;
}

export class TaskDurations {
  readonly #started = new Map<string, number[]>();
  readonly #stats = new Map<string, DurationStats>();

  /** The scheduler's task event listener. */
  readonly listener = (event: TaskEvent): void => {
    if (event.kind === "start") {
      const list = this.#started.get(event.task) ?? [];
      list.push(event.at.getTime());
      this.#started.set(event.task, list);
      return;
    }
    if (event.kind !== "success" && event.kind !== "failure") return;
    const start = this.#started.get(event.task)?.shift();
    if (start === undefined) return;
    const seconds = Math.max(0, (event.at.getTime() - start) / 1000);
    const s = this.#stats.get(event.task) ?? { count: 0, sumS: 0, lastS: 0 };
    this.#stats.set(event.task, { count: s.count + 1, sumS: s.sumS + seconds, lastS: seconds });
  };

  stats(): ReadonlyMap<string, DurationStats> {
    return this.#stats;
  }
}
