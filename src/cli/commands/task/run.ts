/**
 * @module `acoupi task run NAME`: runs one task now, in this process, through a scheduler with
 * the program's queues, then its callbacks. A task that needs an input (a callback) is refused,
 * and so is any task while the runner is running: its start hooks would reconcile the temp folder
 * the runner is writing to.
 */
import { defineCommand } from "citty";
import { AcoupiError } from "../../../errors.ts";
import { instantiateProgram } from "../../../programs/define-program.ts";
import { Scheduler } from "../../../scheduler/scheduler.ts";
import { activeDeployment } from "../../../system/deployment-file.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { loadConfigured, programDeps } from "../../../app/load-program.ts";

export default defineCommand({
  meta: { name: "run", description: "Run one task now: `acoupi task run test_task`" },
  args: { name: { type: "positional", required: true, description: "Task name (see `acoupi task list`)" } },
  async run({ args }) {
    const { paths, definition, config } = await loadConfigured();
    const runner = readLivePid(paths.pidFile);
    if (runner !== null) {
      throw new AcoupiError("runner-active", `The runner (pid ${runner}) is running: \`task run\` would reconcile and file recordings under it`, {
        help: "Its tasks already run on their schedule (`acoupi status` shows them); run `acoupi stop` first to run a task by hand",
      });
    }
    const deps = programDeps(paths, args.name);
    const program = await instantiateProgram(definition, config, deps);
    try {
      const task = program.context.task(args.name);
      if (!task) {
        throw new AcoupiError("task-not-found", `Task ${args.name} not found`, {
          help: `Tasks of this program: ${program.context.tasks.map((t) => t.name).join(", ")}`,
        });
      }
      if (task.schedule && "after" in task.schedule) {
        throw new AcoupiError("task-needs-input", `Task ${args.name} runs on the result of ${task.schedule.after} and cannot run alone`, {
          help: `Run \`acoupi task run ${task.schedule.after}\` instead`,
        });
      }
      const deployment = activeDeployment(paths);
      if (deployment) await program.start(deployment);
      const timezone = (config as { timezone?: string }).timezone;
      const scheduler = new Scheduler({ queues: { ...program.context.queues }, clock: deps.clock, timezone, logger: deps.logger });
      for (const t of program.context.tasks) scheduler.add(t);
      process.stdout.write(`Running task ${args.name}\n`);
      const result = await scheduler.run(args.name);
      while (!scheduler.idle) await Bun.sleep(20); // let its callbacks finish
      await scheduler.stop(30_000);
      if (result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await program.close();
    }
  },
});
