/**
 * Errors in a user's program file reach the user as the file's, with a line, through the real CLI
 * against a temp ACOUPI_HOME: a syntax error and a missing import at `setup`, a throw in `setup`
 * at `check` and `task run`, a throw in `check` at `check`, a throw in a task at `task run`. Never
 * "internal error", never "not found". The syntax error and the setup throw also run through the
 * compiled binary, which loads program files with its own transpiler.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../helpers/binaries.ts";
import { makeTempHome, runAcoupi, type CliResult } from "../helpers/cli.ts";

const home = makeTempHome("acoupi-program-errors-");
afterAll(() => home.cleanup());

function programFile(name: string, text: string): string {
  const file = join(home.home, name);
  writeFileSync(file, text);
  return file;
}

const SYNTAX = programFile("syntax.ts", `export default (api) => {\n  // line 2\n  const broken = ;\n};\n`);
const IMPORT = programFile("imports.ts", `import { helper } from "./helpers-not-there.ts";\nexport default (api) => helper(api);\n`);
const THROWS = programFile(
  "throws.ts",
  `export default (api) => api.defineProgram({
  apiVersion: 1,
  name: "thrower",
  configSchema: api.z.object({ where: api.z.enum(["setup", "check", "task"]).default("task") }),
  setup(config, ctx) {
    if (config.where === "setup") throw new Error("setup went wrong");
    ctx.addTask(function broken_task() {
      throw new Error("task went wrong");
    }, { name: "broken_task" });
  },
  check(config) {
    if (config.where === "check") throw new Error("check went wrong");
  },
});
`,
);

/** Runs acoupi in its own ACOUPI_HOME (one per case, so cases do not share a configured program). */
function run(args: string[], where: string, binary?: string): CliResult {
  const env = { ...home.env, ACOUPI_HOME: join(home.home, where), ...(binary ? { ACOUPI_TEST_BINARY: binary } : {}) };
  return runAcoupi(args, env, { timeoutMs: 120_000 });
}

function expectTheirs(result: CliResult, message: string): void {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toContain("internal error");
  expect(result.stderr).not.toContain("not found");
}

describe("an error in a program file, through the CLI", () => {
  test("a syntax error is refused at setup, naming the file, line and column", () => {
    expectTheirs(run(["setup", "--program", SYNTAX, "--no-prompt"], "syntax"), `Error: Program file ${SYNTAX}:3:18 does not parse`);
  }, 120_000);

  test("a missing import is refused at setup, naming the file, the line and the import", () => {
    expectTheirs(run(["setup", "--program", IMPORT, "--no-prompt"], "import"), `Error: Program file ${IMPORT}:1 imports "./helpers-not-there.ts", which cannot be found`);
  }, 120_000);

  test("a throw in setup is the program's at check and at task run", () => {
    expect(run(["setup", "--program", THROWS, "--no-prompt", "--where", "setup"], "setup").code).toBe(0);
    const check = run(["check"], "setup");
    expect(check.code).not.toBe(0);
    expect(check.stdout + check.stderr).toContain(`Program "thrower" (${THROWS}:6) threw in setup: setup went wrong`);
    expect(check.stdout + check.stderr).not.toContain("internal error");
    expectTheirs(run(["task", "run", "broken_task"], "setup"), `Error: Program "thrower" (${THROWS}:6) threw in setup: setup went wrong`);
  }, 240_000);

  test("a throw in setup stops `start --foreground` with the program's error, and no deployment is left started", () => {
    expect(run(["setup", "--program", THROWS, "--no-prompt", "--where", "setup"], "foreground").code).toBe(0);
    expectTheirs(run(["start", "--foreground"], "foreground"), `Error: Program "thrower" (${THROWS}:6) threw in setup: setup went wrong`);
    const status = run(["status"], "foreground");
    expect(status.stdout).toContain("no deployment is active");
  }, 240_000);

  test("a throw in check is reported as a failed check naming the file and line", () => {
    expect(run(["setup", "--program", THROWS, "--no-prompt", "--where", "check"], "check").code).toBe(0);
    const check = run(["check"], "check");
    expect(check.code).not.toBe(0);
    expect(check.stdout + check.stderr).toContain(`Program "thrower" (${THROWS}:12) threw in check: check went wrong`);
    expect(check.stdout + check.stderr).not.toContain("internal error");
  }, 240_000);

  test("a throw in a task is the program's at task run", () => {
    expect(run(["setup", "--program", THROWS, "--no-prompt"], "task").code).toBe(0);
    expectTheirs(run(["task", "run", "broken_task"], "task"), `Error: Program "thrower" (${THROWS}:8) threw in task broken_task: task went wrong`);
  }, 240_000);
});

describe("an error in a program file, through the compiled binary", () => {
  test("a syntax error and a throw in setup name the file and line", () => {
    const binary = buildBinary("x64");
    expectTheirs(run(["setup", "--program", SYNTAX, "--no-prompt"], "bin-syntax", binary), `Error: Program file ${SYNTAX}:3:18 does not parse`);
    expect(run(["setup", "--program", THROWS, "--no-prompt", "--where", "setup"], "bin-setup", binary).code).toBe(0);
    expectTheirs(run(["task", "run", "broken_task"], "bin-setup", binary), `Error: Program "thrower" (${THROWS}:6) threw in setup: setup went wrong`);
  }, 600_000);
});
