/**
 * @module Reconcile on start, on a real SQLite store and real files: a `.wav.part` left by a
 * writer killed mid-recording (a real child process, SIGKILL) is finalised into a valid WAV and
 * adopted; an empty or headless `.part` is removed; a finished WAV with no row is adopted with
 * created_on, samplerate and time expansion from its GUANO chunk; a junk `.wav` is left where it
 * is with a warning while the rest of the run goes on.
 */
import { storeReads } from "../helpers/store-reads.ts";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola, type ConsolaInstance } from "consola";
import { acoupiGuanoFields, buildGuano, guanoChunk } from "../../src/audio/guano.ts";
import { parseWav, wavHeader, wavSamples16 } from "../../src/audio/wav.ts";
import { WavWriter } from "../../src/audio/wav-writer.ts";
import { recordingName } from "../../src/audio/recording-file.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment } from "../../src/data/index.ts";
import { reconcileTemp } from "../../src/tasks/reconcile.ts";
import { deployment as makeDeployment, recording as makeRecording } from "../contracts/store.contract.ts";
import { REPO } from "../helpers/cli.ts";
import { testSignal } from "../helpers/fake-mic.ts";

let dir: string;
let tmp: string;
let store: SqliteStore;
let site: Deployment;
let lines: string[];

function capture(into: string[]): ConsolaInstance {
  return createConsola({ level: 5, reporters: [{ log: (entry) => void into.push(`${entry.type}: ${entry.args.map(String).join(" ")}`) }] });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-reconcile-"));
  tmp = join(dir, "tmp");
  mkdirSync(tmp);
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
  site = makeDeployment();
  store.storeDeployment(site);
  lines = [];
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function reconcile(timeExpansion = 1) {
  return reconcileTemp({ tmpDir: tmp, store, deployment: site, timeExpansion, logger: capture(lines) });
}

function rowsFor(path: string) {
  return storeReads(store).getRecordingsByPath([path]);
}

/** Runs WavWriter in a child process that writes `frames` frames and then dies by SIGKILL. */
function killedWriter(name: string, frames: number, samplerate: number): Int16Array {
  const samples = testSignal(frames);
  const rawPath = join(dir, `${name}.raw`);
  writeFileSync(rawPath, samples);
  const script = `
    import { WavWriter } from ${JSON.stringify(join(REPO, "src/audio/wav-writer.ts"))};
    const writer = await WavWriter.create(${JSON.stringify(tmp)}, ${JSON.stringify(name)}, { samplerate: ${samplerate}, channels: 1 });
    const bytes = await Bun.file(${JSON.stringify(rawPath)}).arrayBuffer();
    await writer.write(new Int16Array(bytes));
    await writer.write(new Int16Array(1 << 17)); // 256 KB more: the writer flushes its buffer to disk
    process.kill(process.pid, "SIGKILL");
  `;
  const scriptPath = join(dir, "killed-writer.ts");
  writeFileSync(scriptPath, script);
  const result = Bun.spawnSync([process.execPath, scriptPath], { stderr: "pipe" });
  expect(result.signalCode).toBe("SIGKILL");
  return samples;
}

describe("reconcileTemp", () => {
  test("a .part left by a killed writer is finalised into a valid WAV and adopted", () => {
    const createdOn = new Date("2026-05-01T06:00:03.250Z");
    const name = recordingName(createdOn, crypto.randomUUID());
    const written = killedWriter(name, 16000, 16000);
    const part = join(tmp, `${name}.wav.part`);
    expect(existsSync(part)).toBe(true);
    // The header of a killed writer still says "no data".
    expect(parseWav(new Uint8Array(readFileSync(part))).dataBytes).toBe(0);

    const counts = reconcile();
    expect(counts).toEqual({ finalised: 1, removed: 0, adopted: 1 });
    const wav = join(tmp, `${name}.wav`);
    expect(readdirSync(tmp)).toEqual([`${name}.wav`]);
    const bytes = new Uint8Array(readFileSync(wav));
    const layout = parseWav(bytes);
    expect(layout.format.samplerate).toBe(16000);
    const samples = wavSamples16(bytes);
    expect(samples.length).toBeGreaterThanOrEqual(written.length);
    expect(samples.subarray(0, written.length)).toEqual(written);

    const [adopted] = rowsFor(wav);
    expect(adopted?.recording.created_on).toEqual(createdOn);
    expect(adopted?.recording.samplerate).toBe(16000);
    expect(adopted?.recording.deployment.id).toBe(site.id);
    expect(adopted?.recording.duration).toBeCloseTo(samples.length / 16000, 6);
    expect(store.listRecordingsByState("temp").map((r) => r.recording.path)).toEqual([wav]);
  });

  test("a .part ending in half a frame keeps only whole frames", () => {
    const name = recordingName(new Date("2026-05-01T06:00:00Z"), crypto.randomUUID());
    const stereo = testSignal(1000, 2);
    const body = Buffer.concat([Buffer.from(stereo.buffer), Buffer.from([1, 2, 3])]);
    writeFileSync(join(tmp, `${name}.wav.part`), Buffer.concat([wavHeader({ samplerate: 8000, channels: 2, bitsPerSample: 16 }, 0), body]));
    expect(reconcile()).toMatchObject({ finalised: 1 });
    const bytes = new Uint8Array(readFileSync(join(tmp, `${name}.wav`)));
    expect(parseWav(bytes).dataBytes).toBe(4000);
    expect(wavSamples16(bytes)).toEqual(stereo);
  });

  test("an empty .part and a .part with no whole header are removed", () => {
    writeFileSync(join(tmp, "20260501_060000_000_aaaaaaaa.wav.part"), wavHeader({ samplerate: 16000, channels: 1, bitsPerSample: 16 }, 0));
    writeFileSync(join(tmp, "20260501_060003_000_bbbbbbbb.wav.part"), new Uint8Array(10));
    expect(reconcile()).toEqual({ finalised: 0, removed: 2, adopted: 0 });
    expect(readdirSync(tmp)).toEqual([]);
    expect(store.listRecordingsByState("temp")).toEqual([]);
  });

  test("a finished WAV with no row is adopted with created_on, samplerate and time expansion from its GUANO", async () => {
    const timestamp = new Date("2026-05-01T21:14:07.125Z");
    // Recorded at 384 kHz with time expansion 10: the header says 38.4 kHz.
    const writer = await WavWriter.create(tmp, "bat-night", { samplerate: 38400, channels: 1 });
    await writer.write(testSignal(38400));
    const guano = buildGuano(
      acoupiGuanoFields({
        timestamp, firmwareVersion: "0.1.0", serial: "dev", samplerate: 384000, length: 0.1, timeExpansion: 10,
        latitude: 51.5, longitude: -0.1, deploymentName: site.name, deploymentId: site.id,
      }),
    );
    const path = await writer.finish([guanoChunk(guano)]);
    expect(reconcile()).toEqual({ finalised: 0, removed: 0, adopted: 1 });
    const [adopted] = rowsFor(path);
    expect(adopted?.recording).toMatchObject({ created_on: timestamp, samplerate: 384000, time_expansion: 10, audio_channels: 1, path });
    expect(adopted?.recording.duration).toBeCloseTo(0.1, 9);
    // A second start finds the row and adopts nothing.
    expect(reconcile()).toEqual({ finalised: 0, removed: 0, adopted: 0 });
    expect(store.listRecordingsByState("temp")).toHaveLength(1);
  });

  test("a WAV that already has a row is left alone", async () => {
    const writer = await WavWriter.create(tmp, "20260501_060000_000_cccccccc", { samplerate: 16000, channels: 1 });
    await writer.write(testSignal(1600));
    const path = await writer.finish();
    store.storeRecording(makeRecording({ deployment: site, path }));
    expect(reconcile()).toEqual({ finalised: 0, removed: 0, adopted: 0 });
    expect(rowsFor(path)).toHaveLength(1);
  });

  test("a junk .wav is left in place with a warning and the run goes on", async () => {
    const junk = join(tmp, "20260501_050000_000_dddddddd.wav");
    writeFileSync(junk, "this is not a wave file at all, just text that ends in .wav");
    const writer = await WavWriter.create(tmp, "20260501_060000_000_eeeeeeee", { samplerate: 16000, channels: 1 });
    await writer.write(testSignal(1600));
    const good = await writer.finish();
    const counts = reconcile();
    expect(counts).toEqual({ finalised: 0, removed: 0, adopted: 1 });
    expect(existsSync(junk)).toBe(true);
    expect(rowsFor(junk)).toEqual([]);
    expect(rowsFor(good)).toHaveLength(1);
    expect(lines.some((line) => line.startsWith("warn") && line.includes(junk))).toBe(true);
  });

  test("a missing temp folder is nothing to reconcile", () => {
    rmSync(tmp, { recursive: true });
    expect(reconcile()).toEqual({ finalised: 0, removed: 0, adopted: 0 });
  });
});
