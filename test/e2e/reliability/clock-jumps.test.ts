/**
 * Reliability: the wall clock jumps by six hours, forward and back, as NTP does on a Pi without an
 * RTC. The compiled runner runs under Debian's libfaketime (LD_PRELOAD, apt package `faketime`)
 * with an offset read from a control file that the test rewrites mid-run; the monotonic clock is
 * left alone (FAKETIME_DONT_FAKE_MONOTONIC=1), as on a real machine. The scheduler must keep
 * going through both jumps without a burst of catch-up runs, no recording id, time or file name
 * may repeat, and messages must keep flowing to the HTTP endpoint, including those created
 * just before the clock went back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { inspectStores } from "./_invariants.ts";
import { busySetupArgs, deploy, mustRun, mustRunAsync, readStatusFile, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

const LIBFAKETIME = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"].find((p) => existsSync(p));
const SIX_HOURS_MS = 6 * 3600 * 1000;
/** Seconds between recordings (each opens the device and stamps the wall time); the schedule's grid. */
const INTERVAL_S = 1;
/** How long each clock offset is watched. */
const PHASE_MS = 3000;

function recordings(rig: Deployment): Array<{ id: string; created_on: string; path: string | null }> {
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    return db.query<{ id: string; created_on: string; path: string | null }, []>("SELECT id, created_on, path FROM recordings").all();
  } finally {
    db.close();
  }
}

/** Rows written by the two scheduled tasks that leave one each run: recordings and heartbeats. */
function counts(rig: Deployment): { recordings: number; heartbeats: number } {
  const meta = new Database(rig.files.metadata, { readonly: true });
  const outbox = new Database(rig.files.messages, { readonly: true });
  try {
    return {
      recordings: meta.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM recordings").get()?.n ?? 0,
      heartbeats: outbox.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM messages WHERE kind = 'heartbeat'").get()?.n ?? 0,
    };
  } finally {
    meta.close();
    outbox.close();
  }
}

describe.skipIf(LIBFAKETIME === undefined)("wall clock jumps of six hours", () => {
  let rig: Deployment;
  let controlFile: string;
  let server: ReturnType<typeof Bun.serve>;
  const received: string[] = [];

  beforeAll(() => {
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        received.push(await request.text());
        return new Response("ok");
      },
    });
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 60 });
    controlFile = join(rig.dir, "faketime");
    writeFileSync(controlFile, "+0\n");
    mustRun(rig, busySetupArgs({ httpUrl: server.url.href, extra: ["--recording.interval", String(INTERVAL_S)] }));
  }, 120_000);

  afterAll(() => {
    server?.stop(true);
    rig?.cleanup();
  });

  test("the schedule goes on through +6 h and -6 h with no catch-up burst, no repeated id or file name, and messages keep flowing", async () => {
    const runner = rig.spawn(["start", "--name", "clock-jumps", "--no-check", "--foreground"], {
      LD_PRELOAD: LIBFAKETIME ?? "",
      FAKETIME_TIMESTAMP_FILE: controlFile,
      FAKETIME_NO_CACHE: "1",
      FAKETIME_DONT_FAKE_MONOTONIC: "1",
    });
    try {
      await waitFor("the runner to start", () => readStatusFile(rig)?.pid === runner.pid);
      for (const offset of ["+0", "+6h", "-6h", "+0"]) {
        writeFileSync(controlFile, `${offset}\n`);
        await Bun.sleep(200);
        const start = { ...counts(rig), at: performance.now() };
        await Bun.sleep(PHASE_MS);
        const end = counts(rig);
        const slots = Math.ceil((performance.now() - start.at) / 1000 / INTERVAL_S);
        const ran = { recordings: end.recordings - start.recordings, heartbeats: end.heartbeats - start.heartbeats };
        // The grid is monotonic: one run per interval whatever the wall clock did; a catch-up would be thousands.
        for (const n of Object.values(ran)) {
          expect({ offset, kept: n >= 1, noBurst: n <= slots + 2 }).toEqual({ offset, kept: true, noBurst: true });
        }
      }
      const before = new Set(received);
      await waitFor("messages after the last jump", () => received.some((m) => !before.has(m)), 10_000);
      expect(runner.exitCode).toBeNull();
    } finally {
      writeFileSync(controlFile, "+0\n");
      expect(await terminate(runner)).toBe(0);
    }
    await mustRunAsync(rig, ["stop"]);

    const rows = recordings(rig);
    const times = rows.map((r) => r.created_on);
    const names = rows.filter((r) => r.path !== null).map((r) => basename(r.path ?? ""));
    expect(new Set(times).size).toBe(times.length);
    expect(new Set(names).size).toBe(names.length);
    // Recordings were stamped with each of the three wall clocks.
    const hours = new Set(times.map((t) => Math.round((Date.parse(t) - Date.now()) / SIX_HOURS_MS)));
    expect([...hours].sort()).toEqual([-1, 0, 1]);
    const final = inspectStores(rig, { received: new Set(received) });
    expect(final.problems).toEqual([]);
    expect(final.byStatus).toEqual({ delivered: final.messages.size });
  }, 120_000);
});

if (LIBFAKETIME === undefined) console.warn("clock-jumps.test.ts skipped: libfaketime is not installed (apt-get install faketime)");
