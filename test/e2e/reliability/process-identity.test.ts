/**
 * Reliability: whose process the pidfile names, and racing starts, on the compiled binary with
 * the fake microphone and a light `default` deployment. A pidfile left by a power cut names a PID
 * that now belongs to another process (here a `sleep` we own): `run` must start anyway, `stop`
 * must not signal that process and `status` must not call it running. Twenty `acoupi start`s at
 * once: exactly one succeeds and every other says why.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

function bootId(): string {
  return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
}

describe("the pidfile proves whose process it names", () => {
  let rig: Deployment;
  let bystander: Subprocess;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    mustRun(rig, recorderSetupArgs());
  });
  afterEach(async () => {
    bystander?.kill("SIGKILL");
    await bystander?.exited;
    // Ends whatever deployment a test left active (and its runner), so the next one starts clean.
    rig.run(["stop"]);
  });
  afterAll(() => rig?.cleanup());

  const pidfiles = [
    ["of an older acoupi (a bare PID)", (pid: number) => `${pid}\n`],
    ["from before a reboot (another boot id)", (pid: number) => JSON.stringify({ pid, starttime: "1", boot_id: "00000000-0000-0000-0000-000000000000", home: rig.acoupiHome })],
    ["naming a process that started later (another start time)", (pid: number) => JSON.stringify({ pid, starttime: "1", boot_id: bootId(), home: rig.acoupiHome })],
  ] as const;

  for (const [what, content] of pidfiles) {
    test(`a pidfile ${what} whose PID now belongs to another process is stale: run starts, stop and status leave that process alone`, async () => {
      mustRun(rig, ["start", "--name", "stale", "--no-check"]);
      const runner = JSON.parse(rig.run(["status", "--json"]).stdout).runner.pid;
      expect(runner).toBeNumber();
      await waitFor("the runner to write its status", () => readStatusFile(rig)?.pid === runner);
      process.kill(runner as number, "SIGKILL");
      await waitFor("the killed runner to vanish", () => !existsSync(`/proc/${runner}`));

      bystander = Bun.spawn(["sleep", "60"], { stdio: ["ignore", "ignore", "ignore"] });
      writeFileSync(rig.files.pid, content(bystander.pid));

      const status = JSON.parse(rig.run(["status", "--json"]).stdout);
      expect(status.runner.running).toBe(false);

      const run = rig.spawn(["run"]);
      await waitFor("the new runner to write its status", () => readStatusFile(rig)?.pid === run.pid && readStatusFile(rig)?.state === "running");
      expect(JSON.parse(rig.run(["status", "--json"]).stdout).runner.pid).toBe(run.pid);
      expect(await terminate(run)).toBe(0);

      writeFileSync(rig.files.pid, content(bystander.pid));
      const stop = rig.run(["stop"]);
      expect(stop.code).toBe(0);
      expect(bystander.exitCode).toBeNull();
      expect(bystander.signalCode).toBeNull();
      // Still alive after stop: signal 0 reaches it.
      expect(() => process.kill(bystander.pid, 0)).not.toThrow();
    }, 60_000);
  }

  test("of 20 concurrent `acoupi start`s exactly one succeeds and the others say why", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => rig.runAsync(["start", "--name", `race-${i}`, "--no-check"])));
    const winners = results.filter((r) => r.code === 0);
    expect(winners.length).toBe(1);
    for (const loser of results.filter((r) => r.code !== 0)) {
      expect(loser.code).toBe(1);
      expect(loser.stderr).toMatch(/A deployment is already active|acoupi is already running as process \d+|Another `acoupi start` is starting a deployment/);
    }
    const deployment = JSON.parse(readFileSync(`${rig.acoupiHome}/config/deployment.json`, "utf8"));
    expect(winners[0]?.stdout).toContain(`Deployment "${deployment.name}" started`);
    const status = JSON.parse(rig.run(["status", "--json"]).stdout);
    expect(status.runner.running).toBe(true);
    expect(status.deployment.name).toBe(deployment.name);
  }, 120_000);
});
