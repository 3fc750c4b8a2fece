/** @module `acoupi task list`: each task with its queue and schedule. */
import { defineCommand } from "citty";
import { instantiateProgram } from "../../../programs/define-program.ts";
import type { Schedule } from "../../../scheduler/types.ts";
import { loadConfigured, programDeps } from "../../../app/load-program.ts";

export function describeSchedule(schedule: Schedule | undefined): string {
  if (!schedule) return "on demand";
  if ("every" in schedule) return `every ${schedule.every} s`;
  if ("cron" in schedule) return `cron "${schedule.cron}"`;
  return `after ${schedule.after}`;
}

export default defineCommand({
  meta: { name: "list", description: "List the program's tasks" },
  async run() {
    const { paths, definition, config } = await loadConfigured();
    const program = await instantiateProgram(definition, config, programDeps(paths, "task"));
    try {
      process.stdout.write(`Program ${definition.name} tasks:\n`);
      for (const task of program.context.tasks) {
        process.stdout.write(`  • ${task.name} (queue ${task.queue}, ${describeSchedule(task.schedule)})\n`);
      }
    } finally {
      await program.close();
    }
  },
});
