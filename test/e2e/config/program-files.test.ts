import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { programWriteSteps } from "../../../src/config/config-file.ts";
import { createDeployment } from "../../../src/data/index.ts";
import { writeDeployment } from "../../../src/system/deployment-file.ts";
import { writeRunnerConfig } from "../../../src/app/runner-config.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

function shown(home: TempHome): { program: string; config: unknown } {
  const result = runAcoupi(["config", "show"], home.env);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const [first, ...rest] = result.stdout.split("\n");
  return { program: (first as string).replace("# program: ", ""), config: JSON.parse(rest.join("\n")) };
}

/** The stored config as `config show` presents it in `acoupiHome`: relative paths lie under that home. */
function underHome(config: unknown, acoupiHome: string): unknown {
  const copy = structuredClone(config) as { paths: Record<string, string> };
  for (const [key, value] of Object.entries(copy.paths)) if (!value.startsWith("/")) copy.paths[key] = join(acoupiHome, value);
  return copy;
}

describe("setup writes the program name and its config as one", () => {
  let source: TempHome;
  let defaultConfig: unknown;
  beforeAll(() => {
    source = makeTempHome();
    expect(runAcoupi(["setup", "--program", "default", "--no-prompt", "--recording.duration", "4"], source.env).code).toBe(0);
    defaultConfig = JSON.parse(readFileSync(join(source.acoupiHome, "config/program.json"), "utf8"));
  });
  afterAll(() => source.cleanup());

  const steps = programWriteSteps(acoupiPaths("/unused"), "default", {}).length;
  for (let done = 0; done <= steps; done++) {
    test(`a kill after ${done} of ${steps} steps of switching programs leaves the old setup or the new one, whole`, () => {
      const home = makeTempHome();
      try {
        expect(runAcoupi(["setup", "--program", "test", "--no-prompt", "--name", "first"], home.env).code).toBe(0);
        const paths = acoupiPaths(home.acoupiHome);
        for (const step of programWriteSteps(paths, "default", defaultConfig).slice(0, done)) step();
        // A temp file that a kill left behind inside a step.
        writeFileSync(join(paths.configDir, ".program.json.99999.tmp"), '{"half": ');
        const seen = shown(home);
        if (done === 0) expect(seen).toEqual({ program: "test", config: { name: "first" } });
        else expect(seen).toEqual({ program: "default", config: underHome(defaultConfig, home.acoupiHome) });
        expect(readFileSync(paths.programName, "utf8").trim()).toBe(seen.program);
      } finally {
        home.cleanup();
      }
    });
  }
});

describe("setup under a deployment", () => {
  let home: TempHome;
  beforeAll(() => {
    home = makeTempHome();
  });
  afterAll(() => home.cleanup());

  test("setup is refused while a deployment is active, and says what to do", () => {
    expect(runAcoupi(["setup", "--program", "test", "--no-prompt", "--name", "first"], home.env).code).toBe(0);
    writeDeployment(acoupiPaths(home.acoupiHome), createDeployment({ name: "site-1", latitude: null, longitude: null }));
    const before = readFileSync(join(home.acoupiHome, "config/program.json"));
    const result = runAcoupi(["setup", "--program", "default", "--no-prompt"], home.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('A deployment is active ("site-1"');
    expect(result.stderr).toContain("Run `acoupi stop`");
    expect(readFileSync(join(home.acoupiHome, "config/program.json")).equals(before)).toBe(true);
    expect(readFileSync(join(home.acoupiHome, "config/name"), "utf8").trim()).toBe("test");
  });
});

describe("stop and the runner's snapshot", () => {
  test("a snapshot left by another deployment's runner is not used: stop ends this one with program.json", () => {
    const home = makeTempHome();
    try {
      expect(runAcoupi(["setup", "--program", "test", "--no-prompt", "--name", "now"], home.env).code).toBe(0);
      const paths = acoupiPaths(home.acoupiHome);
      writeRunnerConfig(paths, { program: "default", config: { recording: { duration: 1 } }, deployment_id: "an-older-deployment" });
      writeDeployment(paths, createDeployment({ name: "current", latitude: null, longitude: null }));
      const stop = runAcoupi(["stop"], home.env);
      expect(stop.stderr).toBe("");
      expect(stop.code).toBe(0);
      expect(stop.stdout).not.toContain("Ending with the configuration the runner started with");
      expect(stop.stdout).toContain('Deployment "current" ended');
    } finally {
      home.cleanup();
    }
  });
});
