/**
 * Reliability: `acoupi status` cannot lie, on the compiled binary with the fake microphone and a
 * light `default` deployment whose runner rewrites its status every 0.2 s. Each state has its own
 * documented exit code: not set up, stopped, running and healthy, degraded (the microphone gone),
 * not responding (SIGSTOP: the status file ages, judged on the boot clock so that a clock set back
 * does not hide it), crashed (kill -9 with the deployment active,
 * and `--json` still holds the last status), stopped again after SIGTERM or `acoupi stop`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MIC_DEVICE, deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

interface Report {
  health: string;
  degraded: string[];
  runner: { running: boolean; pid: number | null };
  recording: { last: string | null; next: string | null };
  status: { pid: number; state: string } | null;
}

const FAST_STATUS = { ACOUPI_STATUS_INTERVAL: "0.2" };
const LIBFAKETIME = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"].find((p) => existsSync(p));

describe("acoupi status judges the runner against the clock and exits with the state's code", () => {
  let rig: Deployment;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
  });
  afterAll(() => {
    rig.run(["stop"]);
    rig.cleanup();
  });
  const status = () => statusJsonAsync<Report>(rig);

  test("not set up exits 4, set up with no deployment exits 3", async () => {
    expect(rig.run(["status"]).code).toBe(4);
    expect((await status()).health).toBe("not set up");
    mustRun(rig, recorderSetupArgs());
    const stopped = rig.run(["status"]);
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toContain("stopped");
  });

  test("running and recording exits 0 with the last and next recording; a lost microphone exits 5 naming it", async () => {
    mustRun(rig, ["start", "--name", "health", "--no-check"], FAST_STATUS);
    await waitFor("recordings", () => recordingCount(rig) >= 2 && readStatusFile(rig)?.state === "running");
    const ok = await waitFor("a healthy status", async () => {
      const s = await status();
      return s.exitCode === 0 && s.recording.last !== null && s;
    });
    expect(ok.health).toBe("ok");
    expect(Date.parse(ok.recording.next ?? "")).toBeGreaterThanOrEqual(Date.parse(ok.recording.last ?? ""));
    expect(rig.run(["status"]).stdout).toMatch(/last recording : \d{4}-\d\d-\d\dT/);

    rig.setMicInfile(join(rig.dir, "unplugged.raw"));
    const degraded = await waitFor("a degraded status", async () => {
      const s = await status();
      return s.exitCode === 5 && s;
    });
    expect(degraded.health).toBe("degraded");
    expect(degraded.degraded.join(" ")).toContain(`recording: Cannot open capture device "${MIC_DEVICE}"`);
    rig.setMicInfile(rig.mic.rawPath);
    await waitFor("healthy again", async () => (await status()).exitCode === 0, 30_000, 200);
  }, 60_000);

  test("a frozen runner (SIGSTOP) is not responding, exit 7; SIGCONT makes it healthy again", async () => {
    const pid = (await status()).runner.pid as number;
    process.kill(pid, "SIGSTOP");
    try {
      const frozen = await waitFor("status to notice the frozen runner", async () => {
        const s = await status();
        return s.exitCode === 7 && s;
      });
      expect(frozen.health).toBe("not responding");
      expect(frozen.degraded.join(" ")).toMatch(/last wrote its status \d+ s ago/);
      expect(rig.run(["status"]).stdout).toContain(`not responding (pid ${pid})`);
      if (LIBFAKETIME !== undefined) {
        // NTP set the clock back an hour since the runner froze: its file now looks an hour in the future.
        const controlFile = join(rig.dir, "faketime-back");
        writeFileSync(controlFile, "-1h\n");
        const back = rig.run(["status", "--json"], { LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: controlFile, FAKETIME_NO_CACHE: "1", FAKETIME_DONT_FAKE_MONOTONIC: "1" });
        expect(back.code).toBe(7);
        expect(Date.parse(JSON.parse(back.stdout).status.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
      }
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await waitFor("status to recover", async () => (await status()).exitCode === 0);
  }, 30_000);

  test("kill -9 with the deployment active is crashed, exit 6, and --json keeps the last status", async () => {
    const pid = (await status()).runner.pid as number;
    process.kill(pid, "SIGKILL");
    const crashed = await waitFor("status to see the crash", async () => {
      const s = await status();
      return s.exitCode === 6 && s;
    });
    expect(crashed.health).toBe("crashed");
    expect(crashed.runner.running).toBe(false);
    expect(crashed.status?.pid).toBe(pid);
    expect(crashed.status?.state).toBe("running");
    expect(rig.run(["status"]).stdout).toContain(`crashed (last pid ${pid})`);
  });

  test("a runner stopped by SIGTERM (deployment still active) and an ended deployment exit 3", async () => {
    const runner = rig.spawn(["run"], FAST_STATUS);
    await waitFor("the runner", () => readStatusFile(rig)?.pid === runner.pid && readStatusFile(rig)?.state === "running");
    expect(await terminate(runner)).toBe(0);
    const paused = await status();
    expect(paused.exitCode).toBe(3);
    expect(paused.health).toBe("stopped");
    mustRun(rig, ["stop"]);
    expect((await status()).exitCode).toBe(3);
  }, 30_000);
});
