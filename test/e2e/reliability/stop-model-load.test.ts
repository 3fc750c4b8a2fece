/**
 * Reliability: a stop while the model is loading. The compiled binary runs a `detection`
 * deployment whose model file is a FIFO with a writer that sends nothing, so the first detection
 * waits on the model's load for as long as the test likes (as a big model on a slow Pi does for
 * tens of seconds). SIGTERM (what `systemctl stop` and `acoupi stop` send) must end the runner with
 * exit 0 within the 15 s after which `acoupi stop` would SIGKILL it, and leave the stores intact
 * and nothing half-written.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { inspectStores } from "./_invariants.ts";
import { busySetupArgs, deploy, mustRun, readStatusFile, recordingCount, binaryUnderTest, waitFor, type Deployment } from "../../helpers/deployment.ts";

/** How long `acoupi stop` waits for the runner before it SIGKILLs it (src/cli/commands/deployment/stop.ts). */
const STOP_TIMEOUT_MS = 15_000;

describe("a stop while the model is loading", () => {
  let rig: Deployment;
  let writer: Subprocess;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 10 });
    const fifo = join(rig.dir, "model.onnx");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    writer = Bun.spawn(["bash", "-c", `exec 3>"${fifo}"; sleep 300`], { stdio: ["ignore", "ignore", "inherit"] });
    mustRun(rig, busySetupArgs({ extra: ["--model.path", fifo] }));
  });
  afterAll(async () => {
    writer?.kill("SIGKILL");
    await writer?.exited;
    rig?.cleanup();
  });

  test("SIGTERM ends the runner with exit 0 within the stop timeout, leaving the stores intact", async () => {
    const runner = rig.spawn(["start", "--name", "model-load", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    await waitFor("a recording waiting for the model", () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= 1 && (readStatusFile(rig)?.tasks.detection_task?.runs ?? 0) >= 1);
    runner.kill("SIGTERM");
    const exited = await Promise.race([runner.exited.then(() => true), Bun.sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!exited) runner.kill("SIGKILL");
    expect(exited).toBe(true);
    expect(runner.exitCode).toBe(0);
    const inspection = inspectStores(rig);
    expect(inspection.problems).toEqual([]);
    expect(inspection.partsInTemp).toEqual([]);
  }, 40_000);
});
