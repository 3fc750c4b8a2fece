/**
 * @module The `test` program, as acoupi's `acoupi.programs.test`: one config field, `name`, and
 * one task that logs the config every 10 seconds. Its check fails unless the name is
 * "test_program", which makes it handy for trying the CLI end to end.
 */
import { z } from "zod";
import { HealthCheckError } from "../src/errors.ts";
import { defineProgram } from "../src/programs/define-program.ts";

export const TestConfigSchema = z.object({
  name: z.string().default("test_program").describe("A name; the health check passes only for test_program"),
});

export default defineProgram({
  apiVersion: 1,
  name: "test",
  description: "Logs its configuration every 10 s; for trying acoupi out",
  configSchema: TestConfigSchema,
  setup(config, ctx) {
    const logger = ctx.deps.logger.withTag("test_task");
    ctx.addTask(
      function test_task() {
        logger.info(`Test task ran with config ${JSON.stringify(config)}`);
        return { name: config.name, ran_at: ctx.deps.clock.now().toISOString() };
      },
      { name: "test_task", schedule: { every: 10 } },
    );
  },
  check(config) {
    if (config.name !== "test_program") {
      throw new HealthCheckError(`name is not test_program: it is "${config.name}"`, {
        help: "Run `acoupi config set name test_program`",
      });
    }
  },
});
