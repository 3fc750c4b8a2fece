/**
 * @module `acoupi task run NAME`: runs one task now, in this process, through a scheduler built
 * as the runner builds it (src/app/build-scheduler.ts), then its callbacks. A task that needs an
 * input (a callback) is refused, and so is any task while the runner is running: its start hooks
 * would reconcile the temp folder the runner is writing to.
 */
import { defineCommand } from "citty";
import { AcoupiError } from "../../../errors.ts";
import { instantiateProgram } from "../../../programs/define-program.ts";
import { programSections } from "../../../programs/program-sections.ts";
import { activeDeployment } from "../../../system/deployment-file.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { buildScheduler } from "../../../app/build-scheduler.ts";
import { loadConfigured, programDeps } from "../../../app/load-program.ts";

export default defineCommand({
  meta: { name: "run", description: "Run one task now: `acoupi task run test_task`" },
  args: { name: { type: "positional", required: true, description: "Task name (see `acoupi task list`)" } },
  async run({ args }) {
    const { paths, definition, config, programName } = await loadConfigured();
    const sections = programSections(config, { program: programName });
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
      const scheduler = buildScheduler(program, deps, sections);
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
