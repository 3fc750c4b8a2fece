/**
 * @module The machinery reads a program's sections through one door, so a renamed section is
 * refused by name where it used to read as absent: the runner and the page refuse the fixture
 * program whose author renamed `paths` to `path` (its own schema accepts it), before anything is
 * written. And the scheduler is built one way for `run` and `task run` (buildScheduler).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createConsola } from "consola/basic";
import { buildScheduler } from "../../src/app/build-scheduler.ts";
import { programs } from "../../src/app/load-program.ts";
import { runDeployment } from "../../src/app/runner.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { ConfigError } from "../../src/errors.ts";
import { defineProgram, instantiateProgram } from "../../src/programs/define-program.ts";
import { WebConfigSchema } from "../../src/programs/templates/web-config.ts";
import type { ProgramDeps } from "../../src/programs/types.ts";
import { systemClock } from "../../src/scheduler/clock.ts";
import { acoupiPaths, type AcoupiPaths } from "../../src/system/paths.ts";
import { startWebServer } from "../../src/web/server.ts";
import { makeTempHome, type TempHome } from "../helpers/cli.ts";

const FIXTURE = join(import.meta.dir, "../fixtures/programs/renamed-paths.ts");

let home: TempHome;
let paths: AcoupiPaths;
let deps: ProgramDeps;
beforeAll(() => {
  home = makeTempHome("acoupi-renamed-section-");
  paths = acoupiPaths(home.acoupiHome);
  deps = { paths, deviceId: "test-device-0001", clock: systemClock, logger: createConsola({ level: -999 }), version: "test" };
});
afterAll(() => home.cleanup());

async function caught(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return null;
}

describe("a program file whose author renamed paths to path", () => {
  test("its own schema accepts its config, and the runner refuses to start it, naming the section, writing nothing", async () => {
    const definition = await programs.load(FIXTURE);
    const config = validateConfig(definition.configSchema, {});
    const error = await caught(() => runDeployment({ paths, programName: FIXTURE, definition, config, deps }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("paths");
    expect((error as ConfigError).message).toBe(`The config of program "${FIXTURE}" has a section "path" but no "paths": acoupi reads "paths", so "path" would be ignored`);
    expect(existsSync(paths.pidFile)).toBe(false);
    expect(existsSync(join(paths.runDir, "runner-config.json"))).toBe(false);
  });

  test("the page refuses it too, rather than serving with no database", async () => {
    const definition = await programs.load(FIXTURE);
    const programConfig = validateConfig(definition.configSchema, { web: { enabled: true, port: 0 } });
    const error = await caught(() =>
      startWebServer({ config: WebConfigSchema.parse({ enabled: true, port: 0 }), paths, programName: "renamed-paths", configSchema: definition.configSchema, programConfig, logger: deps.logger }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("paths");
  });
});

describe("the scheduler, built one way for run and task run", () => {
  const chained = defineProgram({
    name: "chained",
    configSchema: WebConfigSchema.pick({ enabled: true }),
    workers: [{ name: "main", queues: ["default"] }, { name: "slow", queues: ["slow"], concurrency: 1 }],
    setup(_config, ctx) {
      ctx.addTask(() => 21, { name: "first", schedule: { every: 3600 }, queue: "slow" });
      ctx.addTask((n: number) => n * 2, { name: "second", schedule: { after: "first" } });
    },
  });

  test("holds every task of the program on its queues, runs callbacks, and is where the program's task counts come from", async () => {
    const program = await instantiateProgram(chained, { enabled: false }, deps);
    try {
      const scheduler = buildScheduler(program, deps, { timezone: "Europe/Berlin" });
      expect(await scheduler.run("first")).toBe(21);
      while (!scheduler.idle) await Bun.sleep(10);
      expect(Object.keys(scheduler.stats()).sort()).toEqual(["first", "second"]);
      expect(program.context.taskStats().second?.runs).toBe(1);
      expect(program.context.taskStats().first?.lastSuccess).toBeInstanceOf(Date);
      await scheduler.stop(5_000);
    } finally {
      await program.close();
    }
  });

  test("plans in the config's zone: a zone the runtime does not know is refused by name", async () => {
    const program = await instantiateProgram(chained, { enabled: false }, deps);
    try {
      const error = await caught(() => buildScheduler(program, deps, { timezone: "Mars/Olympus_Mons" }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe("timezone");
    } finally {
      await program.close();
    }
  });
});
