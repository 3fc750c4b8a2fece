/**
 * Reliability: retention deletes only what it should, on the compiled binary with the fake
 * microphone. Issue 27: "A foreign file took free space below `min_free`. Retention then deleted
 * 44 recordings (24 on disk down to 1), although deleting them all could not restore `min_free`.
 * Status said ok, and every new recording was deleted right after it was filed." And: "After a
 * database recovery, the 3 WAVs of an archive symlinked into the recordings folder were adopted as
 * recordings and then deleted by retention."
 *
 * The first case runs on a small tmpfs (mounted by the test, as root; skipped where it cannot
 * be): a ballast file outside the recordings takes the free space below `storage.min_free` by
 * more than all the recordings take. Retention must delete nothing, pause recording with "disk
 * filled by something else: X MB outside the recordings" in status, `acoupi check` must say that
 * min_free exceeds what the recordings could ever free, and recording resumes once the ballast is
 * gone. The second case symlinks an archive folder and a single archived WAV into the recordings
 * folder, and copies in a WAV that acoupi did not write, damages metadata.db so that the next
 * start adopts the filed recordings, and keeps retention busy with a small ceiling: neither the
 * archive nor the hand-made WAV may be adopted or touched.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { absolutePathSql } from "../../helpers/stored-path.ts";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, symlinkSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { busySetupArgs, deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

const MB = 1_000_000;

function freeBytes(path: string): number {
  const stats = statfsSync(path);
  return Number(stats.bavail) * Number(stats.bsize);
}

function rowsByState(rig: Deployment): Record<string, Array<{ id: string; path: string | null }>> {
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    const out: Record<string, Array<{ id: string; path: string | null }>> = {};
    for (const row of db.query<{ id: string; path: string | null; state: string }, []>(`SELECT id, ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path, state FROM recordings`).all()) {
      (out[row.state] ??= []).push({ id: row.id, path: row.path });
    }
    return out;
  } finally {
    db.close();
  }
}

function writeBallast(path: string, bytes: number): void {
  const fd = openSync(path, "a");
  const chunk = new Uint8Array(256 * 1024);
  try {
    for (let left = bytes; left > 0; ) left -= writeSync(fd, chunk, 0, Math.min(chunk.byteLength, left));
  } finally {
    closeSync(fd);
  }
}

/** A WAV of 0.5 s of silence at 16 kHz with no GUANO chunk: a file acoupi did not write. */
function plainWav(): Buffer {
  const data = 16000;
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(data, 40);
  return Buffer.concat([header, Buffer.alloc(data)]);
}

describe("a foreign file fills the disk below storage.min_free", () => {
  let rig: Deployment;
  let disk = "";
  let mounted = false;

  beforeAll(() => {
    const binary = binaryUnderTest();
    disk = mkdtempSync(join(tmpdir(), "acoupi-rel-foreign-"));
    mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", disk], { stderr: "pipe" }).exitCode === 0;
    if (!mounted) return;
    rig = deploy({ binary, micSeconds: 60, acoupiHome: join(disk, ".acoupi") });
    mustRun(rig, busySetupArgs({ minFreeMb: 1, extra: ["--storage.min_free", "4MB", "--storage.interval", "1"] }));
  }, 180_000);

  afterAll(() => {
    rig?.cleanup();
    if (mounted) Bun.spawnSync(["umount", "-l", disk]);
    if (disk !== "") rmSync(disk, { recursive: true, force: true });
  });

  test("retention deletes nothing, recording pauses with the reason in status, check says so, and recording resumes when the space is back", async () => {
    if (!mounted) {
      console.log("retention-foreign: cannot mount a tmpfs here (not root?); skipped");
      return;
    }
    const runner = rig.spawn(["start", "--name", "foreign-file", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    try {
      await waitFor("12 saved recordings", () => readStatusFile(rig)?.pid === runner.pid && (rowsByState(rig).saved?.length ?? 0) >= 12, 60_000);
      const savedBefore = rowsByState(rig).saved ?? [];
      // Free space 2 MB under min_free: more than every recording takes together.
      const ballast = join(disk, "somebody-elses-file");
      writeBallast(ballast, freeBytes(disk) - 2 * MB);
      const reason = await waitFor("the pause in status", async () => {
        const s = await statusJsonAsync<{ degraded: string[] }>(rig);
        return s.degraded.find((d) => d.startsWith("recording: paused: disk filled by something else: "));
      }, 30_000, 300);
      expect(reason).toMatch(/^recording: paused: disk filled by something else: \d+\.\d MB outside the recordings$/);
      const paused = recordingCount(rig);
      await Bun.sleep(3000);
      // Nothing purged, every saved file still there, and nothing recorded while paused (one may have been under way).
      const now = rowsByState(rig);
      expect(now.purged ?? []).toEqual([]);
      for (const row of savedBefore) expect({ id: row.id, exists: existsSync(row.path ?? "") }).toEqual({ id: row.id, exists: true });
      expect(recordingCount(rig)).toBeLessThanOrEqual(paused + 1);
      expect(await terminate(runner)).toBe(0);

      const check = rig.run(["check"]);
      expect(`${check.stdout}${check.stderr}`).toContain("storage.min_free (4.0 MB) exceeds what deleting every recording could ever free");

      unlinkSync(ballast);
      const again = rig.spawn(["run"], { ACOUPI_STATUS_INTERVAL: "0.5" });
      try {
        const before = recordingCount(rig);
        await waitFor("recording to resume", () => recordingCount(rig) >= before + 3, 30_000);
      } finally {
        expect(await terminate(again)).toBe(0);
      }
      expect(rowsByState(rig).purged ?? []).toEqual([]);
    } finally {
      if (runner.exitCode === null) await terminate(runner);
    }
  }, 150_000);
});

describe("an archive symlinked into the recordings folder", () => {
  let rig: Deployment;
  let archive: string;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 30 });
    archive = join(rig.dir, "archive");
    mustRun(rig, recorderSetupArgs({ extra: ["--storage.ceiling", "200KB", "--storage.interval", "1", "--storage.min_free", "1MB"] }));
  }, 180_000);
  afterAll(() => rig?.cleanup());

  test("is neither adopted after a database recovery nor deleted by retention, nor is a WAV acoupi did not write", async () => {
    const first = rig.spawn(["start", "--name", "archive-link", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    await waitFor("4 saved recordings", () => readStatusFile(rig)?.pid === first.pid && (rowsByState(rig).saved?.length ?? 0) >= 4, 60_000);
    expect(await terminate(first)).toBe(0);

    // Three archived WAVs (copies of real recordings, GUANO and all), linked in as a folder and as a file.
    mkdirSync(archive, { recursive: true });
    const saved = (rowsByState(rig).saved ?? []).slice(0, 3);
    const archived = saved.map((row, i) => {
      const path = join(archive, `archived-${i}.wav`);
      copyFileSync(row.path ?? "", path);
      return { path, bytes: readFileSync(path) };
    });
    symlinkSync(archive, join(rig.files.recordings, "archive"));
    // And a WAV that acoupi did not write (no GUANO), copied into the recordings folder by hand.
    const handmade = join(rig.files.recordings, "handmade.wav");
    writeFileSync(handmade, plainWav());
    const handmadeBytes = readFileSync(handmade);
    symlinkSync(archived[0]?.path ?? "", join(rig.files.recordings, "linked.wav"));
    writeFileSync(rig.files.metadata, Buffer.alloc(64 * 1024, "not a database "));

    const second = rig.spawn(["run"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    try {
      await waitFor("the fresh database and retention at work", () => readStatusFile(rig)?.pid === second.pid && (rowsByState(rig).purged?.length ?? 0) >= 3, 60_000);
    } finally {
      expect(await terminate(second)).toBe(0);
    }
    const log = readFileSync(rig.runLog, "utf8");
    expect(log).toContain("is damaged");
    const all = Object.values(rowsByState(rig)).flat();
    expect(all.filter((r) => r.path !== null && (r.path.includes("/archive/") || r.path.endsWith("/linked.wav")))).toEqual([]);
    for (const file of archived) expect({ file: file.path, same: existsSync(file.path) && readFileSync(file.path).equals(file.bytes) }).toEqual({ file: file.path, same: true });
    expect(readdirSync(archive).toSorted()).toEqual(["archived-0.wav", "archived-1.wav", "archived-2.wav"]);
    expect(all.filter((r) => r.path === handmade)).toEqual([]);
    expect(existsSync(handmade) && readFileSync(handmade).equals(handmadeBytes)).toBe(true);
  }, 150_000);
});
