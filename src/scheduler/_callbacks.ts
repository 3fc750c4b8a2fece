/**
 * @module How `after` schedules link tasks: the callbacks of a task, and the check that every
 * chain of callbacks ends at a task that exists without looping back on itself.
 */
import { ConfigError } from "../errors.ts";
import type { TaskDefinition } from "./types.ts";

/** The task a callback follows, or null if it is not a callback. */
export function parentOf(task: TaskDefinition): string | null {
  return task.schedule && "after" in task.schedule ? task.schedule.after : null;
}

/** Throws a ConfigError naming the first callback whose parent is missing or that loops. */
export function checkCallbackChains(tasks: ReadonlyMap<string, TaskDefinition>): void {
  const names = () => [...tasks.keys()].join(", ");
  for (const task of tasks.values()) {
    const chain = [task.name];
    let current = task;
    for (let parent = parentOf(current); parent !== null; parent = parentOf(current)) {
      const next = tasks.get(parent);
      if (!next) {
        throw new ConfigError(`Task ${current.name} runs after task ${parent}, which is not registered`, {
          help: `Registered tasks: ${names()}`,
        });
      }
      if (chain.includes(parent)) {
        throw new ConfigError(`Task ${task.name} is in a loop of callbacks: ${[...chain, parent].join(" → ")}`, {
          help: "A callback cannot, directly or through others, trigger the task it follows",
        });
      }
      chain.push(parent);
      current = next;
    }
  }
}
