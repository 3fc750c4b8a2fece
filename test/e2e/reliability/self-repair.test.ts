/**
 * Reliability: the runner repairs what the world breaks under it, on the compiled binary with the
 * fake microphone and a light `default` deployment (0.5 s recordings every second):
 * - the temp and recordings folders are deleted while it runs (an SD card remounted, a USB disk
 *   re-plugged): recording and filing go on, and the log says the folders were re-created;
 * - the metadata database's disk (a small tmpfs, as root) fills up while temp has room: the
 *   recordings captured meanwhile stay whole in temp, get their rows once the database can write
 *   again, without a restart, and are filed; after `acoupi stop` temp is empty and every WAV has
 *   exactly one row.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

function wavsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".wav")).map((n) => join(dir, n));
}

/** Paths of the recordings' rows, with how many rows name each. */
function rowsByPath(rig: Deployment): Map<string, number> {
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    const counts = new Map<string, number>();
    for (const { path } of db.query<{ path: string | null }, []>(`SELECT ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path FROM recordings`).all()) {
      if (path !== null) counts.set(path, (counts.get(path) ?? 0) + 1);
    }
    return counts;
  } finally {
    db.close();
  }
}

function tempWithoutRow(rig: Deployment): string[] {
  const rows = rowsByPath(rig);
  return wavsUnder(rig.files.tmp).filter((file) => !rows.has(file));
}

describe("the runner repairs its folders and its orphans", () => {
  let rig: Deployment;
  let runner: Subprocess;

  beforeAll(async () => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    mustRun(rig, recorderSetupArgs());
    runner = rig.spawn(["start", "--name", "repair", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    await waitFor("filed recordings", () => wavsUnder(rig.files.recordings).length >= 2);
  }, 60_000);

  afterAll(async () => {
    if (runner) await terminate(runner);
    if (process.env.KEEP) console.log(readFileSync(rig.runLog, "utf8").slice(-4000));
    rig?.cleanup();
  });

  test("deleted temp and recordings folders are re-created on the next attempt, and the log says so", async () => {
    rmSync(rig.files.tmp, { recursive: true, force: true });
    rmSync(rig.files.recordings, { recursive: true, force: true });
    const before = recordingCount(rig);
    await waitFor("recording and filing to go on", () => recordingCount(rig) >= before + 3 && wavsUnder(rig.files.recordings).length >= 2, 20_000);
    const log = readFileSync(rig.runLog, "utf8");
    expect(log).toContain(`The temp folder ${rig.files.tmp} was missing; created ${rig.files.tmp}`);
    expect(log).toContain(`Created folder ${rig.files.recordings} for recordings`);
    expect(readStatusFile(rig)?.degraded).toEqual([]);
  }, 30_000);

});

/** Fills the filesystem holding `path` to its last byte. */
function fillUp(path: string): void {
  const fd = openSync(path, "a");
  const chunk = new Uint8Array(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

describe("recordings captured while the database's disk is full", () => {
  let rig: Deployment;
  let dbDisk = "";
  let mounted = false;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    dbDisk = join(rig.dir, "db-disk");
    mkdirSync(dbDisk);
    mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dbDisk], { stderr: "pipe" }).exitCode === 0;
    if (mounted) mustRun(rig, recorderSetupArgs({ extra: ["--paths.db_metadata", join(dbDisk, "metadata.db")] }));
  });

  afterAll(() => {
    if (mounted) Bun.spawnSync(["umount", "-l", dbDisk]);
    rig?.cleanup();
  });

  test("are adopted once it can write again, without a restart, and none is left after stop", async () => {
    if (!mounted) {
      console.log("self-repair: cannot mount a tmpfs here (not root?); skipping the full database disk case");
      return;
    }
    rig.files.metadata = join(dbDisk, "metadata.db");
    const runner = rig.spawn(["start", "--name", "db-full", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    try {
      await waitFor("recordings with rows", () => recordingCount(rig) >= 2 && readStatusFile(rig)?.state === "running");
      const ballast = join(dbDisk, "ballast");
      fillUp(ballast);
      const orphaned = await waitFor("a recording in temp without a row", () => {
        const s = readStatusFile(rig);
        const reason = s?.degraded.find((d) => d.includes("without a database row"));
        return reason !== undefined && tempWithoutRow(rig).length > 0 && reason;
      }, 30_000, 100);
      expect(orphaned).toMatch(/recording: \d+ recordings? without a database row: .*(full|disk)/i);
      rmSync(ballast);
      await waitFor("every temp recording to get its row, without a restart", () => tempWithoutRow(rig).length === 0 && readStatusFile(rig)?.components.recording?.unstored === 0, 30_000, 100);
      expect(runner.exitCode).toBeNull();
    } finally {
      expect(await terminate(runner)).toBe(0);
    }
    mustRun(rig, ["stop"]);
    expect(wavsUnder(rig.files.tmp)).toEqual([]);
    const rows = rowsByPath(rig);
    const filed = wavsUnder(rig.files.recordings);
    expect(filed.length).toBeGreaterThan(2);
    for (const file of filed) expect({ file, rows: rows.get(file) ?? 0 }).toEqual({ file, rows: 1 });
  }, 90_000);
});
