import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN, makeTempHome, runAcoupi, spawnAcoupi, type TempHome } from "../../helpers/cli.ts";

describe("acoupi CLI with the test program", () => {
  let home: TempHome;
  beforeAll(() => {
    home = makeTempHome();
  });
  afterAll(() => home.cleanup());

  test("commands that need a program say how to set one up before setup", () => {
    const result = runAcoupi(["config", "show"], home.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("acoupi is not set up: run `acoupi setup --program <name>`");
  });

  test("an unknown program exits 1 and lists the available programs", () => {
    const result = runAcoupi(["setup", "--program", "nope", "--no-prompt"], home.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Program "nope" not found');
    expect(result.stderr).toMatch(/Available programs: .*test/);
  });

  test("setup by acoupi's module name writes program.json with mode 0600", () => {
    const result = runAcoupi(["setup", "--program", "acoupi.programs.test", "--no-prompt", "--name", "first"], home.env);
    expect(result.code).toBe(0);
    const file = join(home.acoupiHome, "config/program.json");
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ name: "first" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home.acoupiHome, "config/name"), "utf8").trim()).toBe("test");
  });

  test("config set, get and show round-trip", () => {
    expect(runAcoupi(["config", "set", "name", "test_program"], home.env).code).toBe(0);
    expect(runAcoupi(["config", "get", "name"], home.env).stdout.trim()).toBe('"test_program"');
    expect(runAcoupi(["config", "set", "--field", "name", "again"], home.env).code).toBe(0);
    expect(runAcoupi(["config", "get", "--field", "name"], home.env).stdout.trim()).toBe('"again"');
    const shown = runAcoupi(["config", "show"], home.env);
    expect(JSON.parse(shown.stdout.replace(/^#.*\n/, ""))).toEqual({ name: "again" });
  });

  test("a bad key or value is refused by name and program.json stays byte-identical", () => {
    const file = join(home.acoupiHome, "config/program.json");
    const before = readFileSync(file);
    const badKey = runAcoupi(["config", "set", "nmae", "x"], home.env);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('Field "nmae" is not part of the configuration');
    const badJson = runAcoupi(["config", "set", "--field", "", "{not json"], home.env);
    expect(badJson.code).toBe(1);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test("check fails with the program's health-check error, then passes", () => {
    const failing = runAcoupi(["check"], home.env);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/failed  program +.*name is not test_program: it is "again"/);
    expect(failing.stderr).toContain("Error: Health checks failed (program): see the table above");
    runAcoupi(["config", "set", "name", "test_program"], home.env);
    const passing = runAcoupi(["check"], home.env);
    expect(passing.code).toBe(0);
    expect(passing.stdout).toContain("Health checks passed");
  });

  test("task list and task run run the real task in-process", () => {
    expect(runAcoupi(["task", "list"], home.env).stdout).toContain("test_task (queue default, every 10 s)");
    const run = runAcoupi(["task", "run", "test_task"], home.env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim().split("\n").pop() as string).name).toBe("test_program");
    const missing = runAcoupi(["task", "run", "nope"], home.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Task nope not found");
  });

  test("start, a refused second start, status and stop keep their state on disk", () => {
    const start = runAcoupi(["start", "--name", "site-1", "--latitude", "51.5", "--longitude", "-0.1"], home.env);
    expect(start.code).toBe(0);
    const deployment = JSON.parse(readFileSync(join(home.acoupiHome, "config/deployment.json"), "utf8"));
    expect(deployment.name).toBe("site-1");
    expect(deployment.ended_on).toBeUndefined();
    const again = runAcoupi(["start", "--name", "site-2"], home.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('A deployment is already active: "site-1"');
    const status = JSON.parse(runAcoupi(["status", "--json"], home.env).stdout);
    expect(status.deployment.active).toBe(true);
    expect(status.runner.running).toBe(true);
    const stop = runAcoupi(["stop"], home.env);
    expect(stop.code).toBe(0);
    expect(JSON.parse(readFileSync(join(home.acoupiHome, "config/deployment.json"), "utf8")).ended_on).toMatch(/Z$/);
    const after = JSON.parse(runAcoupi(["status", "--json"], home.env).stdout);
    expect(after.runner.running).toBe(false);
    expect(after.deployment.active).toBe(false);
    expect(existsSync(join(home.acoupiHome, "run/acoupi.pid"))).toBe(false);
  });

  test("SIGTERM drains the runner, exits 0 and keeps the deployment active for `acoupi run`", async () => {
    expect(runAcoupi(["start", "--name", "fg", "--no-check"], home.env).code).toBe(0);
    const pidFile = join(home.acoupiHome, "run/acoupi.pid");
    const backgroundPid = (JSON.parse(readFileSync(pidFile, "utf8")) as { pid: number }).pid;
    process.kill(backgroundPid, "SIGTERM");
    while (existsSync(pidFile)) await Bun.sleep(20);
    const runner = spawnAcoupi(["run"], home.env);
    while (!existsSync(pidFile)) await Bun.sleep(20);
    runner.kill("SIGTERM");
    expect(await runner.exited).toBe(0);
    const log = await new Response(runner.stderr).text() + (await new Response(runner.stdout).text());
    expect(log).toContain("Received SIGTERM: stopping");
    expect(JSON.parse(readFileSync(join(home.acoupiHome, "config/deployment.json"), "utf8")).ended_on).toBeUndefined();
    expect(runAcoupi(["stop"], home.env).code).toBe(0);
  });
});

describe("acoupi --help", () => {
  test("loads no bun:ffi, onnxruntime or mqtt code", () => {
    const home = makeTempHome();
    const trace = join(home.home, "imports.txt");
    writeFileSync(trace, "");
    const proc = Bun.spawnSync([process.execPath, "--preload", join(import.meta.dir, "../../helpers/trace-imports.ts"), MAIN, "--help"], {
      env: { ...process.env, ...home.env, ACOUPI_TRACE_IMPORTS: trace },
    });
    expect(proc.exitCode).toBe(0);
    expect(proc.stdout.toString()).toContain("USAGE acoupi");
    const imports = readFileSync(trace, "utf8").split("\n").filter(Boolean);
    expect(imports.length).toBeGreaterThan(3); // the tracer saw the CLI's own imports
    expect(imports.some((p) => p.endsWith("report.ts"))).toBe(true);
    const heavy = imports.filter((p) => /bun:ffi|onnxruntime|mqtt|native\/alsa|libsamplerate/.test(p));
    expect(heavy).toEqual([]);
    home.cleanup();
  });
});
