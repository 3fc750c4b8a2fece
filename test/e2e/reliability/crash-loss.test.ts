/**
 * Reliability: what kill -9 loses during continuous capture. The compiled binary records one
 * long continuous file at 48 kHz from a fake microphone that is a named pipe, which this test
 * feeds with the counter signal (test/helpers/fake-mic.ts testSignal) through `cat` and then holds
 * open, so capture goes exactly as far as the test lets it (a writer that cannot keep the pipe
 * full makes the `file` PCM fill short reads with zeros, so the feed is one fast `cat`). After
 * 10.24 s of audio the test waits for the runner to take it all, then SIGKILLs it. The `.part` left behind must hold a bit-exact prefix of the signal, missing
 * at most the flush period (`recording.flush_s`, 1 s) plus what the device still buffers below
 * one read; with no flush period (the old behaviour) the loss is the 256 KiB write buffer,
 * 2.7 s, which this test shows too. A restart then finalises the prefix and adopts it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testSignal } from "../../helpers/fake-mic.ts";
import { deploy, MIC_DEVICE, mustRun, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

const RATE = 48000;
const CHUNK = 960; // frames per device read: 20 ms
/** 10.24 s: a whole number of device reads, so none is left half full at the end of the feed. */
const FED_FRAMES = 4 * 122_880;
/** What may still sit in the device below one read when the runner is killed. */
const DEVICE_SLACK_FRAMES = 2 * CHUNK;

const FEEDER = `
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ
data = open(sys.argv[2], "rb").read()
assert os.write(fd, data) == len(data)
open(sys.argv[3], "w").close()
time.sleep(120)
`;

let rig: Deployment | null = null;
afterEach(() => {
  rig?.cleanup();
  rig = null;
});

/** Runs a continuous 60 s recording, feeds 10.5 s, kills the runner; returns the frames lost and the rig. */
async function killDuringCapture(flush: string[]): Promise<{ lost: number; partFrames: Int16Array; rig: Deployment }> {
  const r = deploy({ binary: binaryUnderTest() });
  rig = r;
  const fifo = join(r.dir, "mic.fifo");
  if (Bun.spawnSync(["mkfifo", fifo]).exitCode !== 0) throw new Error("mkfifo failed");
  r.setMicInfile(fifo);
  mustRun(r, [
    "setup", "--program", "default", "--no-prompt", "--timezone", "UTC",
    "--microphone.device_name", MIC_DEVICE, "--microphone.samplerate", String(RATE),
    "--recording.duration", "60", "--recording.interval", "60", "--recording.chunksize", String(CHUNK),
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "1",
    ...flush,
  ]);
  mkdirSync(r.files.tmp, { recursive: true });
  const signal = testSignal(FED_FRAMES);
  const raw = join(r.dir, "signal.raw");
  writeFileSync(raw, new Uint8Array(signal.buffer));
  // The whole feed waits in the pipe before the device opens it: a pipe opened read-write needs no
  // reader, and at 1 MiB it holds all 0.98 MB. The `file` PCM fills a short read with zeros, so a
  // pipe that ran dry mid-feed would corrupt the signal; the open descriptor then makes the device
  // wait for more instead of reading end-of-file.
  const feeder = Bun.spawn(["python3", "-c", FEEDER, fifo, raw, join(r.dir, "fed")], { stderr: "inherit" });
  await waitFor("the feed", () => existsSync(join(r.dir, "fed")), 30_000, 20);
  const runner = r.spawn(["start", "--name", "crash", "--no-check", "--foreground"]);
  await waitFor("capture to start", () => readdirSync(r.files.tmp).some((n) => n.endsWith(".wav.part")), 30_000, 20);
  await Bun.sleep(2500);
  runner.kill("SIGKILL");
  await runner.exited;
  feeder.kill("SIGKILL");
  await feeder.exited;
  const parts = readdirSync(r.files.tmp).filter((n) => n.endsWith(".wav.part"));
  expect(parts.length).toBe(1);
  const bytes = readFileSync(join(r.files.tmp, parts[0] ?? ""));
  const data = bytes.subarray(44, 44 + Math.floor((bytes.byteLength - 44) / 2) * 2);
  const partFrames = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  // A bit-exact prefix of the signal: nothing dropped, repeated or reordered.
  expect(partFrames.length).toBeLessThanOrEqual(signal.length);
  expect(partFrames.every((v, i) => v === signal[i])).toBe(true);
  const lost = signal.length - partFrames.length;
  console.log(`crash loss (${flush.join(" ") || "flush_s 1 (default)"}): ${lost} frames (${(lost / RATE).toFixed(3)} s) of ${signal.length}`);
  return { lost, partFrames, rig: r };
}

describe("kill -9 during continuous capture", () => {
  test("loses at most the 1 s flush period, and a restart adopts the flushed prefix", async () => {
    const { lost, partFrames, rig: r } = await killDuringCapture([]);
    expect(lost).toBeLessThanOrEqual(RATE * 1 + DEVICE_SLACK_FRAMES);

    // Restart: reconcile finalises the .part into a .wav with its row, holding the same prefix.
    r.setMicInfile(r.mic.rawPath);
    const again = r.spawn(["run"]);
    const db = () => new Database(r.files.metadata, { readonly: true });
    const row = await waitFor("the adopted recording", () => {
      const d = db();
      try {
        return d.query<{ path: string; duration_s: number }, []>(`SELECT ${absolutePathSql({ recordings: r.files.recordings, tmp: r.files.tmp })} AS path, duration_s FROM recordings ORDER BY created_on LIMIT 1`).get() ?? undefined;
      } finally {
        d.close();
      }
    }, 30_000, 200);
    expect(await terminate(again)).toBe(0);
    expect(row.duration_s).toBeCloseTo(partFrames.length / RATE, 6);
  }, 120_000);

  test("without a flush period (the old behaviour) it loses up to the 256 KiB write buffer, more than a second", async () => {
    const { lost } = await killDuringCapture(["--recording.flush_s", "null"]);
    expect(lost).toBeGreaterThan(RATE);
    expect(lost).toBeLessThanOrEqual(128 * 1024 + DEVICE_SLACK_FRAMES);
  }, 120_000);
});
