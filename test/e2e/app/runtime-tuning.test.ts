import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readLivePid } from "../../../src/system/pidfile.ts";
import { missingRunnerEnv, RUNNER_ENV } from "../../../src/app/runtime-tuning.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

const homes: TempHome[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) {
    runAcoupi(["stop"], home.env);
    home.cleanup();
  }
});

/** The environment and thread names of the runner `acoupi start` leaves running with `env`. */
function startedRunner(env: Record<string, string>): { environ: Map<string, string>; threads: string[]; pid: number } {
  const home = makeTempHome("acoupi-tuning-");
  homes.push(home);
  const all = { ...home.env, ...env };
  expect(runAcoupi(["setup", "--program", "test", "--no-prompt"], all).code).toBe(0);
  const start = runAcoupi(["start", "--name", "tuning", "--no-check"], all);
  expect(start.code).toBe(0);
  const pid = readLivePid(join(home.acoupiHome, "run/acoupi.pid"));
  if (pid === null) throw new Error(`no runner pid after start: ${start.stdout}${start.stderr}`);
  const environ = new Map(
    readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .filter((entry) => entry.includes("="))
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)] as [string, string]),
  );
  const threads = readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim());
  return { environ, threads, pid };
}

describe("runtime tuning", () => {
  test("missingRunnerEnv leaves out what the user already set", () => {
    expect(missingRunnerEnv({ BUN_JSC_numberOfGCMarkers: "2" })).toEqual(
      Object.fromEntries(Object.entries(RUNNER_ENV).filter(([key]) => key !== "BUN_JSC_numberOfGCMarkers")),
    );
    expect(missingRunnerEnv({ ...RUNNER_ENV })).toEqual({});
  });

  test("the runner re-executes itself with the runtime settings and has no JSC warm-up thread", () => {
    const { environ, threads } = startedRunner({});
    for (const [key, value] of Object.entries(RUNNER_ENV)) expect(environ.get(key)).toBe(value);
    expect(threads).not.toContain("JSCWarmUp");
  });

  test("a setting the user gave wins, and ACOUPI_RUNTIME_TUNING=0 turns the re-exec off", () => {
    const off = startedRunner({ ACOUPI_RUNTIME_TUNING: "0" });
    for (const key of Object.keys(RUNNER_ENV)) expect(off.environ.has(key)).toBe(false);
    expect(off.threads).toContain("JSCWarmUp");
    const mine = startedRunner({ BUN_JSC_useConcurrentJIT: "1" });
    expect(mine.environ.get("BUN_JSC_useConcurrentJIT")).toBe("1");
    expect(mine.environ.get("BUN_GC_TIMER_INTERVAL")).toBe("10000");
  });
});
