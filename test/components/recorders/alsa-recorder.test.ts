import { afterEach, describe, expect, test } from "bun:test";
import { mkdtemp, open, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGuano } from "../../../src/audio/guano.ts";
import { parseWav, wavSamples16 } from "../../../src/audio/wav.ts";
import {
  AlsaRecorder,
  MicrophoneConfigSchema,
  type AlsaRecorderConfig,
} from "../../../src/components/recorders/alsa-recorder.ts";
import { createDeployment, type Recording } from "../../../src/data/index.ts";
import { AlsaError } from "../../../src/errors.ts";
import { createFakeMic, testSignal, type FakeMic, type FakeMicSource } from "../../helpers/fake-mic.ts";

const deployment = createDeployment({ name: "garden", latitude: 51.5, longitude: -0.1 });
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  source: FakeMicSource,
  config: Partial<AlsaRecorderConfig> & { samplerate?: number; channels?: number; timeExpansion?: number; device?: string; ringSeconds?: number },
): Promise<{ mic: FakeMic; recorder: AlsaRecorder; tmpDir: string }> {
  const mic = await createFakeMic(source);
  cleanups.push(mic.cleanup);
  const tmpDir = join(mic.dir, "tmp");
  const recorder = new AlsaRecorder(
    {
      microphone: {
        device_name: config.device ?? mic.device,
        samplerate: config.samplerate ?? 16000,
        audio_channels: config.channels ?? 1,
        time_expansion: config.timeExpansion ?? 1,
      },
      duration: config.duration ?? 1,
      tmpDir,
      deviceId: "10000000abcdef01",
      firmwareVersion: "0.1.0",
      ...(config.chunksize === undefined ? {} : { chunksize: config.chunksize }),
      ...(config.continuous === undefined ? {} : { continuous: config.continuous }),
    },
    { alsaConfig: mic.configText, ...(config.ringSeconds === undefined ? {} : { ringSeconds: config.ringSeconds }) },
  );
  cleanups.push(() => recorder.close());
  return { mic, recorder, tmpDir };
}

async function samplesOf(recording: Recording): Promise<Int16Array> {
  if (recording.path === null) throw new Error("recording has no path");
  return wavSamples16(new Uint8Array(await Bun.file(recording.path).arrayBuffer()));
}

function sameSamples(a: Int16Array, b: Int16Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe("AlsaRecorder", () => {
  test("AlsaRecorder saves exactly the samples the microphone gave", async () => {
    const input = testSignal(48000 * 2);
    const { recorder, tmpDir } = await setup(input, { samplerate: 48000, duration: 1 });
    const recording = await recorder.record(deployment);
    expect(sameSamples(await samplesOf(recording), input.subarray(0, 48000))).toBe(true);
    expect(recording.path).toStartWith(`${tmpDir}/`);
    expect(recording.path).toEndWith(".wav");
    expect(await readdir(tmpDir)).toEqual([recording.path?.slice(tmpDir.length + 1) ?? ""]);
    expect(recording.samplerate).toBe(48000);
    expect(recording.duration).toBe(1);
    expect(recording.audio_channels).toBe(1);
    expect(recording.deployment).toEqual(deployment);
    expect(recording.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("AlsaRecorder keeps stereo frames interleaved bit-exact", async () => {
    const input = testSignal(16000, 2);
    const { recorder } = await setup(input, { samplerate: 16000, channels: 2, duration: 0.75 });
    const recording = await recorder.record(deployment);
    const bytes = new Uint8Array(await Bun.file(recording.path ?? "").arrayBuffer());
    expect(parseWav(bytes).format.channels).toBe(2);
    expect(sameSamples(wavSamples16(bytes), input.subarray(0, 12000 * 2))).toBe(true);
  });

  test("in continuous mode consecutive files concatenate to exactly the input stream", async () => {
    const files = 5;
    const input = testSignal(8000 * (files + 1));
    const { recorder } = await setup(input, { samplerate: 16000, duration: 0.5, chunksize: 3000, continuous: true });
    const recordings: Recording[] = [];
    for (let i = 0; i < files; i++) recordings.push(await recorder.record(deployment));
    const parts = await Promise.all(recordings.map(samplesOf));
    expect(parts.map((p) => p.length)).toEqual(Array(files).fill(8000));
    const joined = new Int16Array(8000 * files);
    parts.forEach((p, i) => joined.set(p, i * 8000));
    expect(sameSamples(joined, input.subarray(0, 8000 * files))).toBe(true);
    const start = recordings[0]?.created_on.getTime() ?? 0;
    const offsets = recordings.map((r) => r.created_on.getTime() - start);
    offsets.forEach((offset, i) => expect(Math.abs(offset - i * 500)).toBeLessThanOrEqual(1));
    expect(new Set(recordings.map((r) => r.path)).size).toBe(files);
    // A health check on the open stream takes no frames from it.
    await recorder.check();
    const next = await recorder.record(deployment);
    expect(sameSamples(await samplesOf(next), input.subarray(8000 * files))).toBe(true);
    expect(recorder.stats().framesLost).toBe(0);
    expect(recorder.stats().xruns).toBe(0);
    expect(recorder.stats().framesCaptured).toBeGreaterThanOrEqual(8000 * (files + 1));
  });

  test("a full ring makes the worker wait instead of dropping samples", async () => {
    // A ring of 4 slots of 700 frames against 3 s of input: the worker fills it many times over.
    const input = testSignal(48000);
    const { recorder } = await setup(input, { samplerate: 16000, duration: 3, chunksize: 700, ringSeconds: 0.01 });
    expect(sameSamples(await samplesOf(await recorder.record(deployment)), input)).toBe(true);
    expect(recorder.stats().framesLost).toBe(0);
  });

  test("without continuous mode each recording reopens the device", async () => {
    const input = testSignal(16000);
    const { recorder } = await setup(input, { samplerate: 16000, duration: 0.25 });
    const first = await recorder.record(deployment);
    const second = await recorder.record(deployment);
    // The fake microphone restarts its infile on every open, so both files hold the same start.
    expect(sameSamples(await samplesOf(first), input.subarray(0, 4000))).toBe(true);
    expect(sameSamples(await samplesOf(second), input.subarray(0, 4000))).toBe(true);
    expect(first.path).not.toBe(second.path);
  });

  test("recordings that reopen the device reuse one capture worker between files", async () => {
    const input = testSignal(16000);
    const { recorder } = await setup(input, { samplerate: 16000, duration: 0.25 });
    for (let i = 0; i < 3; i++) expect(sameSamples(await samplesOf(await recorder.record(deployment)), input.subarray(0, 4000))).toBe(true);
    await recorder.check();
    expect(recorder.captureWorkersStarted).toBe(1);
    expect(recorder.stats().framesLost).toBe(0);
  });

  test("a device that failed to open records on the same worker once it appears", async () => {
    const mic = await createFakeMic(testSignal(16000));
    cleanups.push(mic.cleanup);
    let defined = false;
    const recorder = new AlsaRecorder(
      { microphone: { device_name: mic.device, samplerate: 16000, audio_channels: 1, time_expansion: 1 }, duration: 0.25, tmpDir: join(mic.dir, "tmp"), deviceId: "d", firmwareVersion: "0.1.0" },
      { alsaConfig: () => (defined ? mic.configText : undefined) },
    );
    cleanups.push(() => recorder.close());
    await expect(recorder.record(deployment)).rejects.toBeInstanceOf(AlsaError);
    defined = true;
    expect(sameSamples(await samplesOf(await recorder.record(deployment)), testSignal(16000).subarray(0, 4000))).toBe(true);
    expect(recorder.captureWorkersStarted).toBe(1);
  });

  test("close ends the capture worker and a later recording starts a new one", async () => {
    const input = testSignal(16000);
    const { recorder } = await setup(input, { samplerate: 16000, duration: 0.25 });
    await recorder.record(deployment);
    await recorder.close();
    expect(sameSamples(await samplesOf(await recorder.record(deployment)), input.subarray(0, 4000))).toBe(true);
    expect(recorder.captureWorkersStarted).toBe(2);
  });

  test("an idle capture worker does not keep a process from exiting", async () => {
    const mic = await createFakeMic(testSignal(16000));
    cleanups.push(mic.cleanup);
    const script = join(mic.dir, "record-once.ts");
    const recorderModule = join(import.meta.dir, "../../../src/components/recorders/alsa-recorder.ts");
    const dataModule = join(import.meta.dir, "../../../src/data/index.ts");
    await Bun.write(
      script,
      [
        `import { AlsaRecorder } from ${JSON.stringify(recorderModule)};`,
        `import { createDeployment } from ${JSON.stringify(dataModule)};`,
        `const recorder = new AlsaRecorder({ microphone: { device_name: ${JSON.stringify(mic.device)}, samplerate: 16000 }, duration: 0.25, tmpDir: ${JSON.stringify(join(mic.dir, "tmp"))}, deviceId: "d", firmwareVersion: "0" }, { alsaConfig: ${JSON.stringify(mic.configText)} });`,
        `const recording = await recorder.record(createDeployment({ name: "exit" }));`,
        `console.log(recording.path === null ? "no file" : "recorded");`,
      ].join("\n"),
    );
    const proc = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ACOUPI_LOG_LEVEL: "warn" } });
    const timer = setTimeout(() => proc.kill(), 20_000);
    const code = await proc.exited;
    clearTimeout(timer);
    expect(await new Response(proc.stdout).text()).toBe("recorded\n");
    expect(code).toBe(0);
  });

  test("each recording carries GUANO metadata that parses back", async () => {
    const { recorder } = await setup(testSignal(16000), { samplerate: 16000, duration: 0.5 });
    const recording = await recorder.record(deployment);
    const guano = readGuano(new Uint8Array(await Bun.file(recording.path ?? "").arrayBuffer()));
    expect(guano).not.toBeNull();
    expect(Object.fromEntries(guano ?? [])).toEqual({
      "GUANO|Version": "1.0",
      Timestamp: recording.created_on.toISOString().replace("Z", "+00:00"),
      Make: "acoupi",
      "Firmware Version": "0.1.0",
      Serial: "10000000abcdef01",
      Samplerate: "16000",
      Length: "0.5",
      "Loc Position": "51.5 -0.1",
      "Acoupi|Deployment Name": "garden",
      "Acoupi|Deployment ID": deployment.id,
    });
  });

  test("a time-expanded recording has the divided rate in its header and the original in GUANO", async () => {
    const input = testSignal(384000 / 4);
    const { recorder } = await setup(input, { samplerate: 384000, timeExpansion: 10, duration: 0.25 });
    const recording = await recorder.record(deployment);
    const bytes = new Uint8Array(await Bun.file(recording.path ?? "").arrayBuffer());
    const layout = parseWav(bytes);
    expect(layout.format.samplerate).toBe(38400);
    expect(layout.format.byteRate).toBe(76800);
    expect(recording.samplerate).toBe(384000);
    expect(recording.time_expansion).toBe(10);
    expect(readGuano(bytes)?.get("TE")).toBe("10.0");
    expect(readGuano(bytes)?.get("Samplerate")).toBe("384000");
    expect(sameSamples(wavSamples16(bytes), input)).toBe(true);
  });

  test("a missing device fails with AlsaError, a help line and no file left behind", async () => {
    const { recorder, tmpDir } = await setup(testSignal(100), { device: "nosuchmic" });
    const failure = recorder.record(deployment);
    await expect(failure).rejects.toBeInstanceOf(AlsaError);
    await expect(failure).rejects.toThrow('Cannot open capture device "nosuchmic": No such file or directory');
    const error = await failure.catch((e: unknown) => e);
    expect((error as AlsaError).help).toBe("Run `acoupi devices` to list capture devices");
    expect(await readdir(tmpDir).catch(() => [])).toEqual([]);
    await expect(recorder.check()).rejects.toThrow('Cannot open capture device "nosuchmic"');
  });

  test("check opens the device, captures a tenth of a second and passes", async () => {
    const { recorder } = await setup(testSignal(16000), { samplerate: 16000 });
    await recorder.check();
    expect(recorder.stats().framesCaptured).toBeGreaterThanOrEqual(1600);
  });

  test("capture runs in a worker: record waits for the device while the main thread goes on", async () => {
    const { mic, recorder } = await setup({ fifo: true }, { samplerate: 8000, duration: 0.5, chunksize: 500 });
    let settled = false;
    const recording = recorder.record(deployment).finally(() => {
      settled = true;
    });
    // The microphone (a named pipe) has no data yet. Were the blocking read on this thread, the
    // writes below could never run and the test would hang.
    await Bun.sleep(50);
    expect(settled).toBe(false);
    const input = testSignal(4000);
    const pipe = await open(mic.rawPath, "w");
    for (let frame = 0; frame < 4000; frame += 500) {
      await pipe.write(new Uint8Array(input.buffer, frame * 2, 1000));
      await Bun.sleep(1);
    }
    await pipe.close();
    expect(sameSamples(await samplesOf(await recording), input)).toBe(true);
  });

  test("record refuses a second call while one is running", async () => {
    const { recorder } = await setup(testSignal(16000), { samplerate: 16000, duration: 0.25 });
    const first = recorder.record(deployment);
    await expect(recorder.record(deployment)).rejects.toThrow("is already recording");
    await first;
  });

  test("several recordings in the same second get distinct file names", async () => {
    const { recorder, tmpDir } = await setup(testSignal(16000 * 2), { samplerate: 16000, duration: 0.1, continuous: true });
    for (let i = 0; i < 6; i++) await recorder.record(deployment);
    const names = await readdir(tmpDir);
    expect(names.length).toBe(6);
    for (const name of names) expect(name).toMatch(/^\d{8}_\d{6}_\d{3}_[0-9a-f]{8}\.wav$/);
  });

  test("the bundled demo clip records bit-exact as a 16 kHz mono microphone", async () => {
    const clip = join(import.meta.dir, "../../../assets/demo-clip.raw");
    const bytes = new Uint8Array(await Bun.file(clip).arrayBuffer());
    expect(bytes.byteLength).toBe(288_000);
    const { recorder } = await setup({ rawFile: clip }, { samplerate: 16000, duration: 9 });
    const recording = await recorder.record(deployment);
    expect(sameSamples(await samplesOf(recording), new Int16Array(bytes.buffer))).toBe(true);
  });

  test("a device defined in ~/.asoundrc records without an in-memory configuration", async () => {
    const input = testSignal(16000);
    const mic = await createFakeMic(input);
    cleanups.push(mic.cleanup);
    const out = await mkdtemp(join(tmpdir(), "acoupi-rec-"));
    cleanups.push(() => rm(out, { recursive: true, force: true }));
    const script = `
      import { AlsaRecorder } from "./src/components/recorders/alsa-recorder.ts";
      import { createDeployment } from "./src/data/index.ts";
      const r = new AlsaRecorder({ microphone: { device_name: "fakemic", samplerate: 16000, audio_channels: 1, time_expansion: 1 },
        duration: 0.5, tmpDir: ${JSON.stringify(out)}, deviceId: "x", firmwareVersion: "0" });
      const rec = await r.record(createDeployment({ name: "site" }));
      console.log(rec.path);`;
    const proc = Bun.spawnSync([process.execPath, "-e", script], {
      cwd: join(import.meta.dir, "../../.."),
      env: { ...process.env, ...mic.env },
    });
    expect(proc.stderr.toString()).toBe("");
    const path = proc.stdout.toString().trim();
    const samples = wavSamples16(new Uint8Array(await Bun.file(path).arrayBuffer()));
    expect(sameSamples(samples, input.subarray(0, 8000))).toBe(true);
  });
});

describe("AlsaRecorder modes", () => {
  test("AlsaRecorder records back to back when the interval equals the duration", () => {
    const base = { microphone: MicrophoneConfigSchema.parse({}), duration: 3, tmpDir: "/nonexistent", deviceId: "x", firmwareVersion: "0" };
    expect(new AlsaRecorder({ ...base, interval: 3 }).continuous).toBe(true);
    expect(new AlsaRecorder({ ...base, interval: 10 }).continuous).toBe(false);
    expect(new AlsaRecorder({ ...base, interval: 3, continuous: false }).continuous).toBe(false);
    expect(new AlsaRecorder(base).continuous).toBe(false);
  });
});

describe("MicrophoneConfigSchema", () => {
  test("MicrophoneConfigSchema fills acoupi's defaults", () => {
    expect(MicrophoneConfigSchema.parse({})).toEqual({
      device_name: "default",
      samplerate: 48000,
      audio_channels: 1,
      time_expansion: 1,
    });
  });

  test("MicrophoneConfigSchema refuses samplerates outside 8000..500000 and a zero time expansion", () => {
    expect(MicrophoneConfigSchema.safeParse({ samplerate: 4000 }).success).toBe(false);
    expect(MicrophoneConfigSchema.safeParse({ samplerate: 500000 }).success).toBe(true);
    expect(MicrophoneConfigSchema.safeParse({ samplerate: 500001 }).success).toBe(false);
    expect(MicrophoneConfigSchema.safeParse({ time_expansion: 0 }).success).toBe(false);
    expect(MicrophoneConfigSchema.safeParse({ audio_channels: 0 }).success).toBe(false);
  });
});
