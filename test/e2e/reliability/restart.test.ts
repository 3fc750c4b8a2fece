/**
 * Reliability: `acoupi restart` without systemd, on the compiled binary with the fake microphone
 * and a light `default` deployment. A running runner is replaced by a new one for the same
 * deployment (the old one drains and exits); a crashed one is simply started again; with no
 * active deployment it refuses and says why.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, statusJsonAsync, waitFor, type Deployment } from "../../helpers/deployment.ts";

/** Gone, or a zombie left for an init that does not reap (as in some containers). */
function exited(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return true;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

interface Report {
  health: string;
  runner: { pid: number | null };
  deployment: { id: string } | null;
}

describe("acoupi restart", () => {
  let rig: Deployment;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    mustRun(rig, recorderSetupArgs());
  });
  afterAll(() => {
    rig.run(["stop"]);
    rig.cleanup();
  });

  test("with no active deployment, refuses and says why", () => {
    const result = rig.run(["restart"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No deployment is active, so there is no runner to restart");
  });

  test("replaces a running runner with a new one for the same deployment, which records", async () => {
    mustRun(rig, ["start", "--name", "restart", "--no-check"]);
    const before = await statusJsonAsync<Report>(rig);
    const oldPid = before.runner.pid as number;
    await waitFor("the first runner to record", () => readStatusFile(rig)?.pid === oldPid && recordingCount(rig) >= 1);
    const out = mustRun(rig, ["restart"]);
    expect(out).toContain(`Stopping the runner (pid ${oldPid})`);
    const newPid = Number(/Runner restarted \(pid (\d+)\)/.exec(out)?.[1]);
    expect(newPid).not.toBe(oldPid);
    expect(exited(oldPid)).toBe(true);
    const count = recordingCount(rig);
    await waitFor("the new runner to record", () => readStatusFile(rig)?.pid === newPid && recordingCount(rig) > count);
    const after = await statusJsonAsync<Report>(rig);
    expect(after.runner.pid).toBe(newPid);
    expect(after.deployment?.id).toBe(before.deployment?.id as string);
    expect(readFileSync(join(rig.acoupiHome, "log", "acoupi.log"), "utf8")).toContain("Received SIGTERM: stopping");
  }, 40_000);

  test("starts a runner that had crashed", async () => {
    const pid = (await statusJsonAsync<Report>(rig)).runner.pid as number;
    process.kill(pid, "SIGKILL");
    await waitFor("the crash to show", async () => (await statusJsonAsync<Report>(rig)).health === "crashed");
    const out = mustRun(rig, ["restart"]);
    expect(out).toContain("No runner was running; starting one");
    const newPid = Number(/Runner restarted \(pid (\d+)\)/.exec(out)?.[1]);
    await waitFor("the new runner", () => readStatusFile(rig)?.pid === newPid && readStatusFile(rig)?.state === "running");
  }, 40_000);
});
