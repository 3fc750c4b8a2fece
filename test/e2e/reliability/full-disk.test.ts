/**
 * Reliability: the disk fills up. ACOUPI_HOME (recordings, temp, both databases, the status
 * file) lives on a small tmpfs mounted by the test (as root); a ballast file takes the free space
 * below `recording.min_free_mb`, then every last byte (`storage.min_free`, retention's own goal,
 * is set below that threshold: deleting recordings cannot free the ballast's space, so retention
 * deletes nothing for it, see retention-foreign.test.ts). Recording must pause with the reason in
 * `acoupi status --json`, the runner must go on (and not crash while even SQLite cannot write),
 * the databases must stay intact, and recording must resume by itself once the ballast is gone.
 * Where tmpfs cannot be mounted, the same is simulated on the real disk with a large ballast and
 * a threshold between the free space with and without it (ACOUPI_RELIABILITY_NO_TMPFS=1 forces that).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectStores } from "./_invariants.ts";
import { busySetupArgs, deploy, mustRun, readStatusFile, recordingCount, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

const MB = 1_000_000;
const TMPFS_BYTES = 12 * 1024 * 1024;
const MIN_FREE_MB = 3;

function freeBytes(path: string): number {
  const stats = statfsSync(path);
  return Number(stats.bavail) * Number(stats.bsize);
}

/** Writes `bytes` of zeros to `path` (or until the disk is full when bytes is Infinity). */
function writeBallast(path: string, bytes: number): void {
  const fd = openSync(path, "a");
  const chunk = new Uint8Array(256 * 1024);
  try {
    let left = bytes;
    while (left > 0) {
      try {
        left -= writeSync(fd, chunk, 0, Math.min(chunk.byteLength, left));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOSPC" && bytes === Infinity) return;
        throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

interface StatusJson {
  health: string;
  degraded: string[];
  status: { components: { recording: { paused_by: string | null } } } | null;
}

async function statusJson(rig: Deployment): Promise<StatusJson> {
  return await statusJsonAsync<StatusJson>(rig);
}

describe("a full disk", () => {
  let rig: Deployment;
  let mountPoint: string | null = null;
  let disk = "";
  let minFreeMb = MIN_FREE_MB;
  let ballastBytes = 0;

  beforeAll(() => {
    const binary = binaryUnderTest();
    disk = mkdtempSync(join(tmpdir(), "acoupi-rel-disk-"));
    const mounted = process.env.ACOUPI_RELIABILITY_NO_TMPFS === "1"
      ? { exitCode: 1, stderr: Buffer.from("ACOUPI_RELIABILITY_NO_TMPFS=1") }
      : Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${TMPFS_BYTES},mode=0755`, "tmpfs", disk], { stderr: "pipe" });
    if (mounted.exitCode === 0) mountPoint = disk;
    else {
      // No tmpfs here: the real disk, with a threshold 150 MB below its free space and a 300 MB ballast.
      console.log(`full disk: cannot mount a tmpfs (${mounted.stderr.toString().trim()}); simulating on the real disk`);
      ballastBytes = 300 * MB;
      minFreeMb = Math.floor((freeBytes(disk) - 150 * MB) / MB);
    }
    rig = deploy({ binary, micSeconds: 60, acoupiHome: join(disk, ".acoupi") });
    mustRun(rig, busySetupArgs({ minFreeMb, extra: ["--storage.min_free", "1MB"] }));
  }, 120_000);

  afterAll(() => {
    rig?.cleanup();
    if (mountPoint !== null) Bun.spawnSync(["umount", "-l", mountPoint]);
    if (disk !== "") rmSync(disk, { recursive: true, force: true });
  });

  test("recording pauses with the reason in status, the databases stay intact, and recording resumes when space comes back", async () => {
    const runner = rig.spawn(["start", "--name", "full-disk", "--no-check", "--foreground"]);
    await waitFor("recordings", () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= 3);

    // Below the threshold: recording pauses, and status says why.
    const ballast = join(disk, "ballast");
    writeBallast(ballast, ballastBytes > 0 ? ballastBytes : freeBytes(disk) - (MIN_FREE_MB * MB) / 2);
    const reason = `paused: less than ${minFreeMb} MB free for recordings and nothing more may be deleted`;
    const paused = await waitFor("status to report the pause", async () => {
      const s = await statusJson(rig);
      return s.degraded.includes(`recording: ${reason}`) && s;
    }, 20_000, 500);
    expect(paused.health).toBe("degraded");
    expect(paused.status?.components.recording.paused_by).toBe(`less than ${minFreeMb} MB free for recordings and nothing more may be deleted`);
    const whilePaused = recordingCount(rig);
    await Bun.sleep(2000);
    expect(recordingCount(rig)).toBe(whilePaused);

    // Every last byte gone (tmpfs only): even SQLite cannot write; the runner must carry on.
    if (mountPoint !== null) {
      writeBallast(join(disk, "ballast-2"), Infinity);
      expect(freeBytes(disk)).toBeLessThan(64 * 1024);
      await Bun.sleep(3000);
      expect(runner.exitCode).toBeNull();
      unlinkSync(join(disk, "ballast-2"));
    }

    // Space comes back: recording resumes without a restart, and the reason goes away.
    unlinkSync(ballast);
    await waitFor("recording to resume", () => recordingCount(rig) >= whilePaused + 3, 20_000, 200);
    const resumed = await waitFor("status to clear the pause", async () => {
      const s = await statusJson(rig);
      return !s.degraded.some((d) => d.startsWith("recording:")) && s;
    }, 20_000, 500);
    expect(resumed.status?.components.recording.paused_by).toBeNull();
    expect(await terminate(runner)).toBe(0);

    const inspection = inspectStores(rig);
    expect(inspection.problems).toEqual([]);
    expect(inspection.partsInTemp).toEqual([]);
  }, 90_000);
});
