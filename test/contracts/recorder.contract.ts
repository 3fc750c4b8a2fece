/**
 * @module The Recorder conformance suite: every Recorder implementation runs it through
 * `recorderContract(name, makeRecorder)`. It checks the promises of
 * src/components/recorders/types.ts on real files: each `record` leaves one complete WAV (the
 * configured rate, channels and length, a RIFF size that matches the file) and no `.part`,
 * consecutive records get distinct ids and paths, stats count the frames, `check` passes on a
 * good device, and `close` is idempotent with a later `record` reopening the device.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { parseWav } from "../../src/audio/wav.ts";
import type { Recorder } from "../../src/components/recorders/types.ts";
import { createDeployment, type Recording } from "../../src/data/index.ts";

export interface RecorderUnderTest {
  recorder: Recorder;
  /** The folder the recorder writes its files to. */
  tmpDir: string;
  /** What every file must hold: header samplerate, channels, and seconds of audio. */
  samplerate: number;
  channels: number;
  duration: number;
  cleanup(): Promise<void>;
}

const deployment = createDeployment({ name: "contract", latitude: 51.5, longitude: -0.1 });

function assertCompleteWav(recording: Recording, expected: RecorderUnderTest): void {
  const path = recording.path;
  expect(path).not.toBeNull();
  if (path === null) return;
  expect(existsSync(path)).toBe(true);
  expect(path.endsWith(".wav")).toBe(true);
  const bytes = new Uint8Array(readFileSync(path));
  const layout = parseWav(bytes);
  expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(statSync(path).size - 8);
  expect(layout.format.samplerate).toBe(expected.samplerate);
  expect(layout.format.channels).toBe(expected.channels);
  expect(layout.format.bitsPerSample).toBe(16);
  expect(layout.dataBytes).toBe(Math.round(expected.duration * expected.samplerate) * expected.channels * 2);
  expect(layout.dataOffset + layout.dataBytes).toBeLessThanOrEqual(bytes.byteLength);
}

function partFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".part")) : [];
}

export function recorderContract(name: string, makeRecorder: () => Promise<RecorderUnderTest>): void {
  describe(`${name} (Recorder contract)`, () => {
    let current: RecorderUnderTest | null = null;
    const open = async (): Promise<RecorderUnderTest> => {
      current = await makeRecorder();
      return current;
    };
    afterEach(async () => {
      const done = current;
      current = null;
      if (done !== null) {
        await done.recorder.close();
        await done.cleanup();
      }
    });

    test("record returns a Recording whose file is a complete WAV of the configured format and length", async () => {
      const under = await open();
      const recording = await under.recorder.record(deployment);
      assertCompleteWav(recording, under);
      expect(recording.samplerate).toBe(under.samplerate);
      expect(recording.audio_channels).toBe(under.channels);
      expect(recording.duration).toBe(under.duration);
      expect(recording.deployment).toEqual(deployment);
      expect(recording.path?.startsWith(`${under.tmpDir}/`)).toBe(true);
      expect(partFiles(under.tmpDir)).toEqual([]);
    });

    test("consecutive records give distinct ids and paths, and every file stays complete", async () => {
      const under = await open();
      const recordings: Recording[] = [];
      for (let i = 0; i < 3; i++) recordings.push(await under.recorder.record(deployment));
      expect(new Set(recordings.map((r) => r.id)).size).toBe(3);
      expect(new Set(recordings.map((r) => r.path)).size).toBe(3);
      for (const recording of recordings) assertCompleteWav(recording, under);
      expect(partFiles(under.tmpDir)).toEqual([]);
    });

    test("stats count at least the frames written to the files", async () => {
      const under = await open();
      expect(under.recorder.stats().framesCaptured).toBe(0);
      await under.recorder.record(deployment);
      await under.recorder.record(deployment);
      const stats = under.recorder.stats();
      expect(stats.framesCaptured).toBeGreaterThanOrEqual(2 * Math.round(under.duration * under.samplerate));
      expect(stats.framesLost).toBeGreaterThanOrEqual(0);
      expect(stats.xruns).toBeGreaterThanOrEqual(0);
    });

    test("check passes on a good device and leaves no file behind", async () => {
      const under = await open();
      await under.recorder.check();
      const files = existsSync(under.tmpDir) ? readdirSync(under.tmpDir) : [];
      expect(files).toEqual([]);
    });

    test("close is idempotent and a later record reopens the device", async () => {
      const under = await open();
      await under.recorder.record(deployment);
      await under.recorder.close();
      await under.recorder.close();
      const again = await under.recorder.record(deployment);
      assertCompleteWav(again, under);
      await under.recorder.close();
    });

    test("close before any record is harmless", async () => {
      const under = await open();
      await under.recorder.close();
      assertCompleteWav(await under.recorder.record(deployment), under);
    });
  });
}
