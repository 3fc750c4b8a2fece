/**
 * Reliability: a damaged metadata.db at start, on the compiled binary with the fake microphone
 * and a light `default` deployment. The runner records with filing held back and is stopped
 * (SIGTERM, which keeps the deployment active) while recordings wait in temp; metadata.db is then
 * truncated to half its size, or overwritten with garbage, as a dying SD card might leave it. The next `acoupi run` must keep recording: it names the file in its log, moves it
 * aside with a timestamp, starts a fresh database, reports degraded (`acoupi status` exits 5), and
 * reconcile gives every recording waiting in temp, and every one already filed, a row again, so
 * none is lost.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

function wavsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".wav")).map((n) => join(dir, n));
}

function rowPaths(rig: Deployment): Set<string> {
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    return new Set(db.query<{ path: string }, []>(`SELECT ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path FROM recordings WHERE path IS NOT NULL`).all().map((r) => r.path));
  } finally {
    db.close();
  }
}

const DAMAGES = [
  ["truncated to half its size", (file: string) => truncateSync(file, Math.floor(readFileSync(file).byteLength / 2))],
  ["overwritten with garbage", (file: string) => writeFileSync(file, Buffer.alloc(64 * 1024, "not a database "))],
] as const;

describe("a damaged metadata.db at start", () => {
  let rig: Deployment;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 5 });
    mustRun(rig, recorderSetupArgs({ extra: ["--file_management.interval", "3600"] }));
    mustRun(rig, ["start", "--name", "corrupt-db", "--no-check"]);
  });
  afterAll(() => {
    rig.run(["stop"]);
    rig.cleanup();
  });

  for (const [how, damage] of DAMAGES) {
    test(`${how}: the runner names it, moves it aside, starts fresh, reports degraded and re-adopts the recordings in temp`, async () => {
      const running = await (async () => {
        const pid = (await statusJsonAsync<{ runner: { pid: number | null } }>(rig)).runner.pid;
        if (pid !== null) return pid;
        const proc = rig.spawn(["run"]);
        await waitFor("a runner", () => readStatusFile(rig)?.pid === proc.pid);
        return proc.pid;
      })();
      await waitFor("recordings waiting in temp", () => recordingCount(rig) >= 3 && wavsUnder(rig.files.tmp).length >= 3);
      process.kill(running, "SIGTERM");
      await waitFor("the runner to stop", () => !existsSync(`/proc/${running}`));
      const waiting = wavsUnder(rig.files.tmp);
      // The recordings filed by an earlier start (the second case has those of the first).
      const filedBefore = wavsUnder(rig.files.recordings);
      if (how === "overwritten with garbage") expect(filedBefore.length).toBeGreaterThan(0);
      expect(waiting.length).toBeGreaterThanOrEqual(3);
      // Stopped cleanly, the database is checkpointed into the one file: damage to it is not healed by a WAL.
      expect(existsSync(`${rig.files.metadata}-wal`)).toBe(false);
      damage(rig.files.metadata);

      const runner = rig.spawn(["run"]);
      await waitFor("the runner to run on a fresh database", () => readStatusFile(rig)?.pid === runner.pid && readStatusFile(rig)?.state === "running", 30_000);
      const log = readFileSync(rig.runLog, "utf8");
      expect(log).toContain(`The metadata store "${rig.files.metadata}" is damaged`);
      const moved = readdirSync(dirname(rig.files.metadata)).filter((n) => /^metadata\.db\.corrupt-\d{8}T\d{6}Z$/.test(n));
      expect(moved.length).toBeGreaterThanOrEqual(1);

      const report = await statusJsonAsync<{ health: string; degraded: string[] }>(rig);
      expect(report.exitCode).toBe(5);
      expect(report.degraded.join("; ")).toContain("metadata_store: the database was damaged and replaced by a fresh one");

      // Every recording that waited in temp got a row again, wherever it is now (temp or filed).
      const rows = rowPaths(rig);
      const now = [...wavsUnder(rig.files.tmp), ...wavsUnder(rig.files.recordings)];
      for (const file of waiting) {
        // Temp names start with the UTC second of the recording, as the filed names do.
        const second = basename(file).slice(0, 15);
        const found = now.filter((p) => basename(p).startsWith(second) && rows.has(p));
        expect({ file, withRow: found.length > 0 }).toEqual({ file, withRow: true });
      }
      // Every recording filed before the damage has a row in the fresh database too.
      for (const file of filedBefore) expect({ file, row: rows.has(file) }).toEqual({ file, row: true });
      expect(await terminate(runner)).toBe(0);
    }, 60_000);
  }
});
