/**
 * Reliability: logs a person and journald can read, on the compiled binary with the fake
 * microphone and a light `default` deployment. The background runner writes `log/acoupi.log`
 * itself, one line per event with an ISO 8601 UTC timestamp and no glyphs, rotated at a size cap
 * (300 bytes here) into N files (2 here); an error shows no stack unless --verbose (or
 * ACOUPI_VERBOSE=1), and then on the same line; under systemd (JOURNAL_STREAM set) lines carry
 * journald's `<N>` priority instead and no file is written; `acoupi logs -n N` and `-f` show it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deploy, mustRun, recorderSetupArgs, recordingCount, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

const LINE_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|warn|info|debug|trace) \S.*$/;
const LINE_RE_MULTI = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info \[stop\] Final file management/m;
const SMALL_LOG = { ACOUPI_LOG_MAX_BYTES: "300", ACOUPI_LOG_FILES: "2" };

describe("the runner's log", () => {
  let rig: Deployment;
  let logFile = "";
  const allLines = () =>
    [`${logFile}.2`, `${logFile}.1`, logFile].filter((f) => existsSync(f)).flatMap((f) => readFileSync(f, "utf8").split("\n").slice(0, -1));

  beforeAll(async () => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    logFile = join(rig.acoupiHome, "log", "acoupi.log");
    mustRun(rig, recorderSetupArgs());
    mustRun(rig, ["start", "--name", "logs", "--no-check"], SMALL_LOG);
    await waitFor("recordings", () => recordingCount(rig) >= 2);
    // A microphone gone: error events, with an AlsaError behind each.
    rig.setMicInfile(join(rig.dir, "unplugged.raw"));
    await waitFor("two errors in the log", () => allLines().filter((l) => l.includes("Task recording_task failed")).length >= 2, 20_000);
    rig.setMicInfile(rig.mic.rawPath);
    mustRun(rig, ["stop"]);
  }, 60_000);
  afterAll(() => rig?.cleanup());

  test("is one line per event with an ISO 8601 UTC timestamp and its level, no glyphs, no blank lines, no stack", () => {
    const lines = allLines();
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      expect({ line, ok: LINE_RE.test(line) }).toEqual({ line, ok: true });
      expect({ line, ascii: /^[\x20-\x7e]+$/.test(line) }).toEqual({ line, ascii: true });
    }
    const failure = lines.find((l) => l.includes("Task recording_task failed")) as string;
    expect(failure).toMatch(/ error \[runner\] Task recording_task failed: AlsaError: Cannot open capture device "fakemic"/);
    expect(failure).not.toContain(" at ");
    expect(lines.some((l) => / info \[runner\] Received SIGTERM: stopping$/.test(l))).toBe(true);
  });

  test("rotates at its size cap and keeps the configured number of files", () => {
    expect(existsSync(`${logFile}.1`)).toBe(true);
    expect(existsSync(`${logFile}.2`)).toBe(true);
    expect(existsSync(`${logFile}.3`)).toBe(false);
    for (const file of [logFile, `${logFile}.1`, `${logFile}.2`]) {
      const text = readFileSync(file, "utf8");
      // At most the cap, unless one line alone is longer.
      expect({ file, fits: statSync(file).size <= 300 || text.split("\n").length === 2 }).toEqual({ file, fits: true });
    }
  });

  test("`acoupi logs -n N` prints the last N lines, reaching into the rotated file", () => {
    const lines = allLines();
    for (const n of [1, 3]) {
      const result = rig.run(["logs", "-n", String(n)]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${lines.slice(-n).join("\n")}\n`);
    }
    expect(rig.run(["logs", "-n", "x"]).code).toBe(1);
  });

  test("`acoupi logs -f` follows the file as a runner writes it", async () => {
    const follower = Bun.spawn([binaryUnderTest(), "logs", "-f", "-n", "0"], { env: { ...process.env, ...rig.env }, stdout: "pipe", stderr: "pipe" });
    let seen = "";
    const reading = (async () => {
      for await (const chunk of follower.stdout) seen += new TextDecoder().decode(chunk);
    })();
    await Bun.sleep(500);
    mustRun(rig, ["start", "--name", "follow", "--no-check"], SMALL_LOG);
    try {
      await waitFor("the new runner's first line in `logs -f`", () => seen.includes('Running program default for deployment "follow"'), 20_000);
    } finally {
      follower.kill();
      await reading;
      mustRun(rig, ["stop"]);
    }
    for (const line of seen.split("\n").filter((l) => l !== "")) expect(line).toMatch(LINE_RE);
  }, 40_000);

  test("--verbose (ACOUPI_VERBOSE=1) adds the stack of an error, on the same line", async () => {
    mustRun(rig, ["start", "--name", "verbose", "--no-check"], { ...SMALL_LOG, ACOUPI_VERBOSE: "1" });
    rig.setMicInfile(join(rig.dir, "unplugged.raw"));
    try {
      const line = await waitFor("an error with its stack", () => allLines().find((l) => l.includes("Task recording_task failed") && l.includes(" | at ")), 20_000);
      expect(line).toMatch(LINE_RE);
    } finally {
      rig.setMicInfile(rig.mic.rawPath);
      mustRun(rig, ["stop"]);
    }
  }, 40_000);

  test("a JOURNAL_STREAM that is not stderr (inherited by a redirected child) is ignored: plain lines", () => {
    mustRun(rig, ["start", "--name", "inherited", "--no-check"]);
    const stop = rig.run(["stop"], { JOURNAL_STREAM: "8:123456" });
    expect(stop.code).toBe(0);
    expect(stop.stderr).toMatch(LINE_RE_MULTI);
    expect(stop.stderr).not.toMatch(/^<\d>/m);
  });

  test("under systemd (JOURNAL_STREAM) lines carry journald priorities and no log file is written", async () => {
    const before = allLines();
    rig.setMicInfile(join(rig.dir, "unplugged.raw"));
    // systemd sets JOURNAL_STREAM to the device:inode of the stream it connects stderr to; here that is the run log.
    writeFileSync(rig.runLog, "", { flag: "a" });
    const stream = statSync(rig.runLog);
    const runner = rig.spawn(["start", "--name", "journal", "--no-check", "--foreground"], { JOURNAL_STREAM: `${stream.dev}:${stream.ino}` });
    try {
      await waitFor("a journald error line", () => readFileSync(rig.runLog, "utf8").includes("<3>[runner] Task recording_task failed"), 20_000);
    } finally {
      rig.setMicInfile(rig.mic.rawPath);
      expect(await terminate(runner)).toBe(0);
    }
    const journal = readFileSync(rig.runLog, "utf8").split("\n").filter((l) => /^<\d>/.test(l));
    expect(journal.some((l) => l.startsWith("<6>[runner] Running program default"))).toBe(true);
    expect(journal.some((l) => l.startsWith("<6>[runner] Received SIGTERM: stopping"))).toBe(true);
    expect(allLines()).toEqual(before);
    mustRun(rig, ["stop"]);
  }, 40_000);
});
