/**
 * Reliability: the heartbeat follows progress. The compiled binary runs a `connected`
 * deployment (0.5 s recordings every second, a heartbeat and a send every second) to a Bun.serve
 * endpoint. When the microphone becomes a FIFO whose writer sends nothing, every capture hangs while
 * the rest of the runner goes on: the heartbeats that reach the endpoint must stop saying "OK" and
 * say that no recording has succeeded, and say "OK" again once audio flows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { deploy, MIC_DEVICE, mustRun, readStatusFile, recordingCount, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

describe("the heartbeat when capture hangs", () => {
  let rig: Deployment;
  let server: ReturnType<typeof Bun.serve>;
  const statuses: string[] = [];

  beforeAll(() => {
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const body = JSON.parse(await request.text()) as { status?: string };
        if (typeof body.status === "string") statuses.push(body.status);
        return new Response("ok");
      },
    });
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    mustRun(rig, [
      "setup", "--program", "connected", "--no-prompt", "--timezone", "UTC",
      "--microphone.device_name", MIC_DEVICE, "--microphone.samplerate", "16000",
      "--recording.duration", "0.5", "--recording.interval", "1",
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "1",
      "--messaging.http.base_url", `${server.url.origin}/in`,
      "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "1",
      "--messaging.outbox.backoff_base_s", "1", "--messaging.outbox.backoff_cap_s", "2",
    ]);
  });
  afterAll(() => {
    server?.stop(true);
    rig?.cleanup();
  });

  test("says no recording has succeeded while capture hangs, and OK again once it records", async () => {
    const runner = rig.spawn(["start", "--name", "heartbeat", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    const fifo = join(rig.dir, "mic.fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const writer = Bun.spawn(["bash", "-c", `exec 3>"${fifo}"; sleep 120`], { stdio: ["ignore", "ignore", "inherit"] });
    try {
      await waitFor("OK heartbeats while recording", () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= 2 && statuses.includes("OK"), 30_000);
      rig.setMicInfile(fifo);
      const stalled = await waitFor("a heartbeat naming the stall", () => statuses.find((s) => s.includes("no recording has succeeded")), 30_000);
      expect(stalled).toMatch(/progress: recording: no recording has succeeded for \d+ s \(one is due every 1 s\)/);
      rig.setMicInfile(rig.mic.rawPath);
      writer.kill("SIGKILL");
      const from = statuses.length;
      await waitFor("OK heartbeats again", () => statuses.slice(from).includes("OK"), 30_000);
    } finally {
      writer.kill("SIGKILL");
      await writer.exited;
      expect(await terminate(runner)).toBe(0);
    }
  }, 90_000);
});
