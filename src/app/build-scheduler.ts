/**
 * @module Building the scheduler for a program instance, one way for `acoupi run` (the runner)
 * and `acoupi task run`: the program's queues, the deps' clock and logger, the config's
 * `timezone` (read through the program's sections), every task the program registered, and the
 * program's task statistics pointed at this scheduler.
 */
import type { ProgramInstance } from "../programs/define-program.ts";
import type { ProgramSections } from "../programs/program-sections.ts";
import type { ProgramDeps } from "../programs/types.ts";
import { Scheduler } from "../scheduler/scheduler.ts";

/** A scheduler (not started) holding every task of `program`, in the zone of `sections.timezone`. */
export function buildScheduler(program: ProgramInstance, deps: Pick<ProgramDeps, "clock" | "logger">, sections: Pick<ProgramSections, "timezone">): Scheduler {
  const scheduler = new Scheduler({ queues: { ...program.context.queues }, clock: deps.clock, timezone: sections.timezone, logger: deps.logger });
  for (const task of program.context.tasks) scheduler.add(task);
  program.context.setTaskStatsSource(() => scheduler.stats());
  return scheduler;
}
