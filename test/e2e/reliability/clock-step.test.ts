/**
 * Reliability: a continuous recording re-anchors its time base when NTP steps the clock. The
 * compiled runner records back to back (0.5 s files, device kept open) under Debian's libfaketime
 * with an offset the test rewrites mid-run from +0 to +2 h (the monotonic clock untouched, as on a
 * real machine). Files made after the step must carry the corrected time (row and GUANO agree),
 * the files on each side of the step must still tile the stream exactly (no sample lost or
 * repeated), and the step must be logged.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deploy, mustRun, readStatusFile, recorderSetupArgs, recordingCount, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

const LIBFAKETIME = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"].find((p) => existsSync(p));
const TWO_HOURS_MS = 2 * 3600 * 1000;
const SECONDS = 0.5;

interface Row {
  created_on: string;
  duration_s: number;
  path: string;
}

function rowsInOrder(rig: Deployment): Row[] {
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    return db.query<Row, []>(`SELECT created_on, duration_s, ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path FROM recordings ORDER BY rowid`).all();
  } finally {
    db.close();
  }
}

describe.skipIf(LIBFAKETIME === undefined)("a clock step during continuous recording", () => {
  let rig: Deployment;
  let controlFile: string;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 30 });
    controlFile = join(rig.dir, "faketime");
    writeFileSync(controlFile, "+0\n");
    // Duration equal to the interval: the device stays open and files tile the stream.
    mustRun(rig, recorderSetupArgs({ recordingSeconds: SECONDS, intervalSeconds: SECONDS, extra: ["--file_management.interval", "3600"] }));
  });
  afterAll(() => rig?.cleanup());

  test("files after the step carry the corrected time, GUANO agrees, and the stream still tiles", async () => {
    const runner = rig.spawn(["start", "--name", "clock-step", "--no-check", "--foreground"], {
      LD_PRELOAD: LIBFAKETIME ?? "",
      FAKETIME_TIMESTAMP_FILE: controlFile,
      FAKETIME_NO_CACHE: "1",
      FAKETIME_DONT_FAKE_MONOTONIC: "1",
    });
    let before = 0;
    try {
      await waitFor("recordings before the step", () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= 3);
      before = recordingCount(rig);
      writeFileSync(controlFile, "+2h\n");
      await waitFor("recordings after the step", () => recordingCount(rig) >= before + 4, 20_000);
    } finally {
      writeFileSync(controlFile, "+0\n");
      expect(await terminate(runner)).toBe(0);
    }
    const rows = rowsInOrder(rig);
    const realNow = Date.now();
    const last = rows.at(-1) as Row;
    // The last file was made on the stepped clock, about two hours ahead of the real one.
    expect(Math.abs(Date.parse(last.created_on) - (realNow + TWO_HOURS_MS))).toBeLessThan(60_000);
    expect(Math.abs(Date.parse((rows[0] as Row).created_on) - realNow)).toBeLessThan(120_000);
    // GUANO in the file says the same time as the row.
    const guano = /Timestamp:\s*([0-9T:.\-+Z]+)/.exec(readFileSync(last.path).toString("latin1"))?.[1];
    expect(Date.parse(guano ?? "")).toBe(Date.parse(last.created_on));
    // Tiling: each file starts where the previous ended, except across the one step of +2 h.
    const gaps = rows.slice(1).map((r, i) => Date.parse(r.created_on) - (Date.parse((rows[i] as Row).created_on) + (rows[i] as Row).duration_s * 1000));
    const steps = gaps.filter((g) => Math.abs(g) > 1);
    expect(steps.length).toBe(1);
    expect(Math.abs((steps[0] as number) - TWO_HOURS_MS)).toBeLessThan(5_000);
    expect(readFileSync(rig.runLog, "utf8")).toMatch(/The wall clock was stepped by \+72\d\d\.\d s; recordings from "fakemic" are stamped with the corrected time/);
  }, 60_000);
});

if (LIBFAKETIME === undefined) console.warn("clock-step.test.ts skipped: libfaketime is not installed (apt-get install faketime)");
