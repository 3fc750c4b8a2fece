/**
 * Reliability: a program that floods its console, on the compiled binary started in the
 * background (`acoupi start`, as without systemd). Issue 27: "The console output of a program file
 * goes to `runner-output.log`, which is never rotated: 1.6 MB in 40 s under a flood, with
 * `ACOUPI_LOG_MAX_BYTES=100000` (3 files)." The program file prints with `console.log` and writes
 * raw lines to stdout a few hundred times a second. Every file in the log folder must stay near
 * the limit, at most the 3 rotated copies of each log are kept, and the runner records on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, waitFor, type Deployment } from "../../helpers/deployment.ts";

const MAX_BYTES = 100_000;
/** A file may pass the limit by what the flood writes between two checks (0.5 s here). */
const SLACK = 100_000;

const PROGRAM = `export default (api) => api.defineProgram({
  name: "floods-its-console",
  configSchema: api.templates.BasicConfigSchema,
  setup(config, ctx) {
    api.templates.basic(ctx, config);
  },
  onStart() {
    let n = 0;
    setInterval(() => {
      n++;
      console.log("console flood line", n, "x".repeat(40));
      process.stdout.write("raw flood line " + n + " " + "y".repeat(40) + "\\n");
    }, 2);
  },
});
`;

describe("a program that floods its console", () => {
  let rig: Deployment;
  let logDir: string;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 10 });
    const program = join(rig.dir, "floods.js");
    writeFileSync(program, PROGRAM);
    const args = recorderSetupArgs();
    args[args.indexOf("default")] = program;
    mustRun(rig, args);
    logDir = join(rig.acoupiHome, "log");
  }, 180_000);
  afterAll(() => {
    rig?.run(["stop"]);
    rig?.cleanup();
  });

  test("keeps runner-output.log and acoupi.log rotated within ACOUPI_LOG_MAX_BYTES, and records on", async () => {
    const env = { ACOUPI_LOG_MAX_BYTES: String(MAX_BYTES), ACOUPI_LOG_FILES: "3", ACOUPI_STATUS_INTERVAL: "0.5" };
    mustRun(rig, ["start", "--name", "flood", "--no-check"], env);
    const pid = await waitFor("the background runner", () => readStatusFile(rig)?.pid, 30_000);
    const before = recordingCount(rig);
    let largest = 0;
    const sizes = () => readdirSync(logDir).map((name) => ({ name, size: statSync(join(logDir, name)).size }));
    // 20 s of flood, watching every file's size as it goes.
    const end = performance.now() + 20_000;
    while (performance.now() < end) {
      for (const { size } of sizes()) largest = Math.max(largest, size);
      await Bun.sleep(200);
    }
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    expect(recordingCount(rig)).toBeGreaterThan(before + 5);
    const files = sizes();
    const total = files.reduce((sum, f) => sum + f.size, 0);
    console.log(`log folder after 20 s of flood: ${files.map((f) => `${f.name} ${f.size}`).join(", ")}; largest seen ${largest}`);
    expect(largest).toBeLessThanOrEqual(MAX_BYTES + SLACK);
    expect(files.map((f) => f.name).filter((n) => n.startsWith("runner-output.log")).toSorted()).toEqual(["runner-output.log", "runner-output.log.1", "runner-output.log.2", "runner-output.log.3"].slice(0, files.filter((f) => f.name.startsWith("runner-output.log")).length));
    expect(files.every((f) => !/\.log\.[4-9]$/.test(f.name))).toBe(true);
    expect(total).toBeLessThanOrEqual(8 * (MAX_BYTES + SLACK));
    // The program's console lines are in the rotated log, tagged.
    expect(readFileSync(join(logDir, "acoupi.log"), "utf8")).toContain("[runner:program] console flood line");
  }, 120_000);
});
