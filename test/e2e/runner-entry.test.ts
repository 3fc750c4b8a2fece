/**
 * @module `acoupi start --foreground` and the background runner (`acoupi start` → `acoupi run`,
 * as the service runs it) go through one entry: both processes carry the runtime settings of
 * runtime-tuning.ts in their environment (the re-exec happened), neither has the JSC warm-up
 * thread, and both log that they gave back their start-up pages.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RUNNER_ENV } from "../../src/app/runtime-tuning.ts";
import { LOG_FILE } from "../../src/system/log-file.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { readLivePid } from "../../src/system/pidfile.ts";
import { makeTempHome, runAcoupi, spawnAcoupi, type TempHome } from "../helpers/cli.ts";

const homes: TempHome[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) {
    runAcoupi(["stop"], home.env);
    home.cleanup();
  }
});

async function waitFor<T>(what: string, probe: () => T | null, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

interface RunnerSeen {
  tuning: Record<string, string | undefined>;
  threads: string[];
  releaseLine: string;
}

/** What a runner shows from outside: its environment's runtime settings, its threads, its release line. */
async function observe(home: TempHome, pid: number): Promise<RunnerSeen> {
  const environ = new Map(
    readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .filter((entry) => entry.includes("="))
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)] as [string, string]),
  );
  const threads = readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim());
  const logFile = join(acoupiPaths(home.acoupiHome).logDir, LOG_FILE);
  // The release comes 20 s after the runner is ready (release-startup-pages.ts).
  const releaseLine = await waitFor("the start-up page release in the log", () => {
    const line = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").find((l) => l.includes("of start-up pages")) : undefined;
    return line ?? null;
  }, 60_000);
  return { tuning: Object.fromEntries(Object.keys(RUNNER_ENV).map((key) => [key, environ.get(key)])), threads, releaseLine };
}

function setUp(prefix: string): TempHome {
  const home = makeTempHome(prefix);
  homes.push(home);
  const setup = runAcoupi(["setup", "--program", "test", "--no-prompt"], home.env);
  expect(setup.code).toBe(0);
  return home;
}

describe("one runner entry", () => {
  test("the foreground runner and the background runner apply the same runtime settings and give back their start-up pages", async () => {
    const background = setUp("acoupi-entry-bg-");
    const foreground = setUp("acoupi-entry-fg-");

    const start = runAcoupi(["start", "--name", "background", "--no-check"], background.env);
    expect(start.code).toBe(0);
    const backgroundPid = readLivePid(acoupiPaths(background.acoupiHome).pidFile);
    if (backgroundPid === null) throw new Error(`no runner pid after start: ${start.stdout}${start.stderr}`);

    const proc = spawnAcoupi(["start", "--name", "foreground", "--no-check", "--foreground"], foreground.env);
    try {
      // The re-exec keeps the pid: the pidfile names the very process we started.
      const foregroundPid = await waitFor("the foreground runner's pidfile", () => readLivePid(acoupiPaths(foreground.acoupiHome).pidFile), 30_000);
      expect(foregroundPid).toBe(proc.pid);

      const [bg, fg] = await Promise.all([observe(background, backgroundPid), observe(foreground, foregroundPid)]);
      expect(bg.tuning).toEqual({ ...RUNNER_ENV });
      expect(fg.tuning).toEqual(bg.tuning);
      expect(bg.threads).not.toContain("JSCWarmUp");
      expect(fg.threads).not.toContain("JSCWarmUp");
      expect(bg.releaseLine).toMatch(/info \[memory\] Gave back [\d.]+ MB of start-up pages/);
      expect(fg.releaseLine).toMatch(/info \[memory\] Gave back [\d.]+ MB of start-up pages/);
    } finally {
      expect(runAcoupi(["stop"], foreground.env).code).toBe(0);
      expect(await proc.exited).toBe(0);
    }
  }, 120_000);
});
