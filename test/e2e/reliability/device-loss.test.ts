/**
 * Reliability: the capture device disappears and comes back, as a USB microphone unplugged and
 * plugged in again. The deployment records 0.5 s every second (so each recording opens the
 * device); the test removes the PCM from the ACOUPI_ALSA_CONFIG file, then points it at a missing
 * infile, then restores it. While the device is gone, `acoupi status --json` must say degraded
 * with the reason naming the device, the recording task must back off (fewer failures than
 * runs), the runner must keep going, and recording must resume without a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspectStores } from "./_invariants.ts";
import { busySetupArgs, MIC_DEVICE, deploy, mustRun, readStatusFile, recordingCount, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

interface StatusJson {
  health: string;
  degraded: string[];
  status: { tasks: Record<string, { runs: number; failures: number }> } | null;
}

describe("the capture device disappears and comes back", () => {
  let rig: Deployment;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 60 });
    mustRun(rig, busySetupArgs({ extra: ["--recording.interval", "1"] }));
  }, 120_000);

  afterAll(() => rig?.cleanup());

  for (const [how, breakDevice] of [
    ["its PCM is no longer defined", (r: Deployment) => writeFileSync(r.alsaConfig, "# the microphone was unplugged\n")],
    ["its input cannot be opened", (r: Deployment) => r.setMicInfile(join(r.dir, "unplugged.raw"))],
  ] as const) {
    test(`when ${how}, status says degraded naming the device, the recorder backs off, and recording resumes without a restart`, async () => {
      const runner = rig.spawn(["start", "--name", "device-loss", "--no-check", "--foreground"]);
      try {
        await waitFor("recordings", () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= 2);
        breakDevice(rig);
        const degraded = await waitFor("status to report the device", async () => {
          const s = await statusJsonAsync<StatusJson>(rig);
          const reason = s.degraded.find((d) => d.startsWith("recording:"));
          return reason !== undefined && (s.status?.tasks.recording_task?.failures ?? 0) >= 2 && { s, reason };
        }, 30_000, 500);
        expect(degraded.s.health).toBe("degraded");
        expect(degraded.reason).toContain(`"${MIC_DEVICE}"`);
        expect(degraded.reason).toContain("retrying with backoff");
        const tasks = degraded.s.status?.tasks.recording_task;
        expect(tasks?.failures ?? 0).toBeLessThan(tasks?.runs ?? 0);
        expect(runner.exitCode).toBeNull();

        const before = recordingCount(rig);
        rig.setMicInfile(rig.mic.rawPath);
        await waitFor("recording to resume", () => recordingCount(rig) >= before + 2, 30_000, 200);
        await waitFor("status to clear the reason", async () => {
          const s = await statusJsonAsync<StatusJson>(rig);
          return !s.degraded.some((d) => d.startsWith("recording:"));
        }, 20_000, 500);
      } finally {
        rig.setMicInfile(rig.mic.rawPath);
        expect(await terminate(runner)).toBe(0);
      }
      mustRun(rig, ["stop"]);
      expect(inspectStores(rig).problems).toEqual([]);
    }, 90_000);
  }
});
