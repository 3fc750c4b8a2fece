/**
 * Reliability: the systemd watchdog follows progress, not the event loop. The compiled binary runs
 * a light `default` deployment (0.5 s recordings every second) under a real sd_notify socket with
 * a 1 s watchdog (so it writes its status every 0.5 s). Then:
 * - the microphone becomes a FIFO whose writer sends nothing, so every capture hangs: the scheduler
 *   keeps turning, but WATCHDOG=1 must stop, the STATUS= line and `acoupi status` must say that no
 *   recording succeeded, and the pings must resume once audio flows again;
 * - the recordings folder is replaced by a file, so every filing fails: the same must happen.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { python3Available, startNotifyListener, type NotifyListener } from "../../helpers/notify-listener.ts";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

interface Report {
  health: string;
  degraded: string[];
}

/** Messages received after index `from` that contain `text`. */
function countAfter(listener: NotifyListener, from: number, text: string): number {
  return listener.messages.slice(from).filter((m) => m.includes(text)).length;
}

describe.skipIf(!python3Available())("the watchdog stops when the runner makes no progress", () => {
  let rig: Deployment;
  let listener: NotifyListener;
  let runner: Subprocess;

  beforeAll(async () => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    mustRun(rig, recorderSetupArgs());
    listener = await startNotifyListener("path");
    runner = rig.spawn(["start", "--name", "watchdog", "--no-check", "--foreground"], { NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: "1000000" });
    await waitFor("recordings and watchdog pings", () => recordingCount(rig) >= 2 && listener.messages.some((m) => m.includes("WATCHDOG=1")));
  }, 60_000);

  afterAll(async () => {
    if (runner) await terminate(runner);
    listener?.close();
    rig?.cleanup();
  });

  /** Waits for a degraded STATUS= naming `what`, then checks no WATCHDOG=1 came over the next 2 s, then that status says so. */
  async function expectPingsStop(what: string): Promise<void> {
    await listener.waitFor((m) => m.includes("STATUS=Degraded:") && m.includes(what), 30_000);
    const from = listener.messages.length;
    await Bun.sleep(2000);
    expect(countAfter(listener, from, "WATCHDOG=1")).toBe(0);
    const report = await statusJsonAsync<Report>(rig);
    expect(report.exitCode).toBe(5);
    expect(report.degraded.join("; ")).toContain(what);
    expect(runner.exitCode).toBeNull();
  }

  async function expectPingsResume(): Promise<void> {
    const from = listener.messages.length;
    await listener.waitFor((m) => m.includes("STATUS=Running program default"), 30_000);
    await waitFor("watchdog pings again", () => countAfter(listener, from, "WATCHDOG=1") >= 2, 20_000);
  }

  test("a capture that hangs (a FIFO microphone whose writer sends nothing) stops WATCHDOG=1 until audio flows again", async () => {
    const fifo = join(rig.dir, "mic.fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    // Holds the FIFO open for writing and writes nothing: each read of the capture blocks.
    const writer = Bun.spawn(["bash", "-c", `exec 3>"${fifo}"; sleep 120`], { stdio: ["ignore", "ignore", "inherit"] });
    try {
      rig.setMicInfile(fifo);
      await expectPingsStop("no recording has succeeded");
      rig.setMicInfile(rig.mic.rawPath);
    } finally {
      writer.kill("SIGKILL");
      await writer.exited;
    }
    await expectPingsResume();
  }, 90_000);

  test("filing that keeps failing (the recordings folder replaced by a file) stops WATCHDOG=1 until it files again", async () => {
    const folder = rig.files.recordings;
    rmSync(folder, { recursive: true, force: true });
    writeFileSync(folder, "not a folder\n");
    try {
      await expectPingsStop("recordings have failed to be filed");
      expect(readStatusFile(rig)?.degraded.join("; ")).toContain("file_management: cannot file");
    } finally {
      rmSync(folder, { force: true });
      mkdirSync(folder, { recursive: true });
    }
    await expectPingsResume();
  }, 90_000);
});
