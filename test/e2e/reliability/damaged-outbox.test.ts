/**
 * Reliability: a damaged outbox at start, on the compiled binary with the fake microphone. Issue
 * 27: "With its header overwritten, the runner exits today, which is a crash loop under
 * systemd's `Restart=always`: no recordings for days. Handle it as a damaged metadata.db already
 * is: keep the damaged file aside, byte-identical, named in the log and status; start a fresh
 * outbox; keep recording." A busy `detection` deployment fills its outbox and is stopped with
 * SIGTERM; the first 100 bytes of messages.db (SQLite's header) are then overwritten, and the next
 * `acoupi run` must name the file in its log, move it aside unchanged, report degraded with the
 * moved file's name, store new messages in a fresh outbox, and keep recording.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, openSync, closeSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { busySetupArgs, deploy, mustRun, readStatusFile, recordingCount, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

function messageCount(rig: Deployment): number {
  if (!existsSync(rig.files.messages)) return 0;
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    const created = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'messages'").get()?.n ?? 0;
    return created === 0 ? 0 : (db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM messages").get()?.n ?? 0);
  } finally {
    db.close();
  }
}

function sha256(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}

describe("a damaged outbox at start", () => {
  let rig: Deployment;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 30 });
    mustRun(rig, busySetupArgs());
  }, 180_000);
  afterAll(() => rig?.cleanup());

  test("with its header overwritten, the runner keeps it aside byte-identical, names it in the log and status, starts a fresh outbox and keeps recording", async () => {
    const first = rig.spawn(["start", "--name", "damaged-outbox", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    await waitFor("messages in the outbox", () => readStatusFile(rig)?.pid === first.pid && messageCount(rig) >= 3, 60_000);
    expect(await terminate(first)).toBe(0);

    const fd = openSync(rig.files.messages, "r+");
    writeSync(fd, Buffer.alloc(100, "garbage! "), 0, 100, 0);
    closeSync(fd);
    const damagedHash = sha256(rig.files.messages);

    const before = recordingCount(rig);
    const runner = rig.spawn(["run"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    try {
      await waitFor("the runner to run and record on", () => readStatusFile(rig)?.pid === runner.pid && readStatusFile(rig)?.state === "running" && recordingCount(rig) >= before + 3, 60_000);
      expect(runner.exitCode).toBeNull();
      const moved = readdirSync(dirname(rig.files.messages)).filter((n) => /^messages\.db\.corrupt-\d{8}T\d{6}Z$/.test(n));
      expect(moved).toHaveLength(1);
      const movedPath = join(dirname(rig.files.messages), moved[0] as string);
      expect(sha256(movedPath)).toBe(damagedHash);
      const log = readFileSync(rig.runLog, "utf8");
      expect(log).toContain(`The outbox "${rig.files.messages}" is damaged`);
      expect(log).toContain(movedPath);

      const report = await statusJsonAsync<{ degraded: string[] }>(rig);
      expect(report.exitCode).toBe(5);
      expect(report.degraded.join("; ")).toContain(`outbox: the outbox was damaged and replaced by a fresh one; the damaged file is ${movedPath}`);
      // The fresh outbox takes new messages (heartbeats every second).
      await waitFor("messages in the fresh outbox", () => messageCount(rig) >= 2, 20_000);
    } finally {
      expect(await terminate(runner)).toBe(0);
    }
  }, 150_000);
});
