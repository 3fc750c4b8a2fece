/**
 * Reliability: `stop` always stops, on the compiled binary with the fake microphone. Issue 27:
 * "When a program file never finishes loading, `acoupi stop` hangs for ever and the runner keeps
 * running. Loading a program file has a deadline of 10 s, with a named error. `stop` ends a runner
 * that is not ready within its grace period, as it does for a ready one." The deployment runs an
 * external program file (the basic template) that hangs on purpose while a marker file exists:
 * `hang-load` makes its top-level code wait for ever, `hang-start` its start hook.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, binaryUnderTest, waitFor, type Deployment } from "../../helpers/deployment.ts";
import type { CliResult as RunResult } from "../../helpers/cli.ts";

/** The stop timeout after which `acoupi stop` SIGKILLs a runner (src/cli/commands/deployment/stop.ts). */
const STOP_TIMEOUT_S = 15;

function programFile(dir: string): string {
  return `import { existsSync } from "node:fs";
const HERE = ${JSON.stringify(dir)};
const forever = () => new Promise(() => setInterval(() => {}, 1000));
if (existsSync(HERE + "/hang-load")) await forever();
export default (api) => api.defineProgram({
  name: "hangs-on-purpose",
  configSchema: api.templates.BasicConfigSchema,
  setup(config, ctx) {
    api.templates.basic(ctx, config);
  },
  onStart() {
    if (existsSync(HERE + "/hang-start")) return forever();
  },
});
`;
}

/** Runs the CLI, or gives up (and says so) after `seconds`. */
async function within(rig: Deployment, args: string[], seconds: number): Promise<(RunResult & { seconds: number }) | "hung"> {
  const started = performance.now();
  const result = await Promise.race([rig.runAsync(args), Bun.sleep(seconds * 1000).then(() => "hung" as const)]);
  return result === "hung" ? result : { ...result, seconds: (performance.now() - started) / 1000 };
}

describe("stop always stops", () => {
  let rig: Deployment;
  let program: string;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 10 });
    program = join(rig.dir, "hangs.js");
    writeFileSync(program, programFile(rig.dir));
    const args = recorderSetupArgs();
    args[args.indexOf("default")] = program;
    mustRun(rig, args);
  }, 180_000);
  afterAll(() => rig?.cleanup());

  test("`acoupi stop` stops the runner when the program file never finishes loading, and names the file", async () => {
    const runner = rig.spawn(["start", "--name", "hangs", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    await waitFor("the runner to run", () => readStatusFile(rig)?.pid === runner.pid && readStatusFile(rig)?.state === "running", 30_000);
    writeFileSync(join(rig.dir, "hang-load"), "");
    const stop = await within(rig, ["stop"], 40);
    const exited = await Promise.race([runner.exited.then(() => true), Bun.sleep(1000).then(() => false)]);
    if (!exited) runner.kill("SIGKILL");
    expect(stop).not.toBe("hung");
    expect(exited).toBe(true);
    expect(runner.exitCode).toBe(0);
    if (stop === "hung") return;
    expect(stop.code).not.toBe(0);
    expect(stop.stderr).toContain(`Loading the program file "${program}" did not finish within 10 s`);
    expect(stop.stderr).toContain("The runner is stopped");
  }, 90_000);

  test("`acoupi run` gives up loading such a program file after 10 s with a named error", async () => {
    expect(existsSync(join(rig.dir, "hang-load"))).toBe(true);
    const run = await within(rig, ["run"], 40);
    expect(run).not.toBe("hung");
    if (run === "hung") return;
    expect(run.code).not.toBe(0);
    expect(run.seconds).toBeGreaterThanOrEqual(9);
    expect(run.stderr).toContain(`Loading the program file "${program}" did not finish within 10 s`);
  }, 90_000);

  test("`acoupi stop` ends a runner whose start never finishes within its grace period, and the runner exits 0 by itself", async () => {
    rmSync(join(rig.dir, "hang-load"));
    writeFileSync(join(rig.dir, "hang-start"), "");
    const runner = rig.spawn(["run"]);
    await waitFor("the starting runner's pidfile", () => existsSync(rig.files.pid), 30_000);
    const stop = await within(rig, ["stop"], 40);
    expect(stop).not.toBe("hung");
    const exited = await Promise.race([runner.exited.then(() => true), Bun.sleep(1000).then(() => false)]);
    if (!exited) runner.kill("SIGKILL");
    expect(exited).toBe(true);
    expect({ code: runner.exitCode, signal: runner.signalCode }).toEqual({ code: 0, signal: null });
    if (stop === "hung") return;
    expect(stop.stderr).not.toContain("was killed");
    expect(stop.seconds).toBeLessThan(STOP_TIMEOUT_S);
    expect(stop.code).toBe(0);
  }, 90_000);
});
