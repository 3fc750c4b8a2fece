/**
 * Reliability: filing across filesystems is idempotent after a crash. Temp lives on a tmpfs (as
 * root) and the recordings on the disk, so each move is copy + fsync + rename + unlink. The
 * compiled binary records with filing held back, is killed with SIGKILL, and the states a crash
 * leaves at each instant of a move are laid down for its recordings: a half-written `.part` copy
 * beside the destination (killed mid-copy), a finished copy with the source still in temp (killed
 * before the unlink), a finished copy with the source gone (killed before the row update). The next
 * `acoupi run` must leave exactly one copy and exactly one row for each recording.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

interface Row {
  id: string;
  path: string | null;
  state: string;
  created_on: string;
}

function rows(rig: Deployment): Row[] {
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    return db.query<Row, []>(`SELECT id, ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path, state, created_on FROM recordings`).all();
  } finally {
    db.close();
  }
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Where the default date file manager files a recording: `<recordings>/YYYY/MM/DD/YYYYMMDD_HHMMSS_<id>.wav`. */
function destinationOf(rig: Deployment, row: Row): string {
  const d = new Date(row.created_on);
  const name = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}_${row.id}.wav`;
  return join(rig.files.recordings, String(d.getUTCFullYear()), pad(d.getUTCMonth() + 1), pad(d.getUTCDate()), name);
}

describe("filing across filesystems after a crash", () => {
  let rig: Deployment;
  let tmpDisk = "";
  let mounted = false;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    tmpDisk = join(rig.dir, "tmp-disk");
    mkdirSync(tmpDisk);
    mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", tmpDisk], { stderr: "pipe" }).exitCode === 0;
    rig.files.tmp = join(tmpDisk, "tmp");
    if (mounted) mustRun(rig, recorderSetupArgs({ extra: ["--paths.tmp_audio", rig.files.tmp, "--file_management.interval", "3600"] }));
  });

  afterAll(() => {
    if (mounted) Bun.spawnSync(["umount", "-l", tmpDisk]);
    rig?.cleanup();
  });

  test("leaves exactly one copy and one row per recording, whatever instant of the move the crash hit", async () => {
    if (!mounted) {
      console.log("filing-crash: cannot mount a tmpfs here (not root?); skipping");
      return;
    }
    const first = rig.spawn(["start", "--name", "filing-crash", "--no-check", "--foreground"]);
    await waitFor("four recordings in temp", () => readStatusFile(rig)?.pid === first.pid && recordingCount(rig) >= 4);
    first.kill("SIGKILL");
    await first.exited;

    const temp = rows(rig).filter((r) => r.state === "temp" && r.path !== null && existsSync(r.path));
    expect(temp.length).toBeGreaterThanOrEqual(3);
    const [midCopy, beforeUnlink, beforeUpdate] = temp as [Row, Row, Row];
    for (const row of [midCopy, beforeUnlink, beforeUpdate]) mkdirSync(dirname(destinationOf(rig, row)), { recursive: true });
    // Killed mid-copy: half the bytes in the hidden .part beside the destination.
    const bytes = readFileSync(midCopy.path as string);
    writeFileSync(join(dirname(destinationOf(rig, midCopy)), `.${basename(destinationOf(rig, midCopy))}.part`), bytes.subarray(0, bytes.byteLength >> 1));
    // Killed after the copy was renamed into place, before the source was unlinked.
    copyFileSync(beforeUnlink.path as string, destinationOf(rig, beforeUnlink));
    // Killed after the unlink, before the row update (the copy went to the destination, the source is gone).
    copyFileSync(beforeUpdate.path as string, join(rig.dir, "moved.tmp"));
    renameSync(join(rig.dir, "moved.tmp"), destinationOf(rig, beforeUpdate));
    Bun.spawnSync(["rm", "-f", beforeUpdate.path as string]);

    const second = rig.spawn(["run"]);
    await waitFor("the restarted runner", () => readStatusFile(rig)?.pid === second.pid && readStatusFile(rig)?.state === "running");
    expect(await terminate(second)).toBe(0);
    mustRun(rig, ["stop"]);

    const all = rows(rig);
    const stored = readdirSync(rig.files.recordings, { recursive: true, encoding: "utf8" }).map((n) => join(rig.files.recordings, n)).filter((p) => p.endsWith(".wav") || p.endsWith(".part"));
    expect(stored.filter((p) => p.endsWith(".part"))).toEqual([]);
    expect(readdirSync(rig.files.tmp).filter((n) => n.endsWith(".wav"))).toEqual([]);
    for (const row of [midCopy, beforeUnlink, beforeUpdate]) {
      const mine = stored.filter((p) => p.includes(row.id.slice(0, 8)));
      expect({ id: row.id, copies: mine }).toEqual({ id: row.id, copies: [destinationOf(rig, row)] });
      expect(all.filter((r) => r.id === row.id).map((r) => [r.state, r.path])).toEqual([["saved", destinationOf(rig, row)]]);
    }
    const byPath = new Map<string, number>();
    for (const r of all) if (r.path !== null) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    for (const file of stored) expect({ file, rows: byPath.get(file) ?? 0 }).toEqual({ file, rows: 1 });
  }, 60_000);
});
