import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AlsaError } from "../../src/errors.ts";
import { CapturePcm } from "../../native/alsa/pcm.ts";
import { check } from "../../native/alsa/errors.ts";
import { createFakeMic, testSignal, type FakeMic } from "../helpers/fake-mic.ts";

const BUN = process.execPath;
const ROOT = join(import.meta.dir, "../..");
const input = testSignal(16000, 2);
let mic: FakeMic;

beforeAll(async () => {
  mic = await createFakeMic(input);
});
afterAll(async () => {
  await mic.cleanup();
});

function runScript(source: string, env: Record<string, string>): { code: number; out: string; err: string } {
  const proc = Bun.spawnSync([BUN, "-e", source], { cwd: ROOT, env: { ...process.env, ...env } });
  return { code: proc.exitCode ?? -1, out: proc.stdout.toString(), err: proc.stderr.toString() };
}

describe("native/alsa", () => {
  test("a PCM opened from an in-memory config reads the fake microphone bit-exact", () => {
    const pcm = CapturePcm.open(mic.device, { samplerate: 16000, channels: 2, latencyUs: 500_000 }, { configText: mic.configText });
    try {
      expect(pcm.params.samplerate).toBe(16000);
      expect(pcm.params.channels).toBe(2);
      expect(pcm.params.periodFrames).toBeGreaterThan(0);
      const out = new Int16Array(input.length);
      let frames = 0;
      while (frames < 16000) {
        const rc = pcm.readi(out.subarray(frames * 2), Math.min(1000, 16000 - frames));
        expect(rc).toBeGreaterThan(0);
        frames += rc;
      }
      expect(out.every((v, i) => v === input[i])).toBe(true);
    } finally {
      pcm.close();
      pcm.close();
    }
  });

  test("opening a device that does not exist throws AlsaError with the errno and a help line", () => {
    let caught: unknown;
    try {
      CapturePcm.open("nosuchmic", { samplerate: 48000, channels: 1, latencyUs: 500_000 }, { configText: mic.configText });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AlsaError);
    const error = caught as AlsaError;
    expect(error.rc).toBe(-2);
    expect(error.errno).toBe(2);
    expect(error.message).toBe('Cannot open capture device "nosuchmic": No such file or directory');
    expect(error.help).toBe("Run `acoupi devices` to list capture devices");
  });

  test("a broken ALSA configuration text is reported as a parse error", () => {
    expect(() =>
      CapturePcm.open("fakemic", { samplerate: 48000, channels: 1, latencyUs: 500_000 }, { configText: "pcm.fakemic { type" }),
    ).toThrow('Cannot parse the ALSA configuration for "fakemic"');
  });

  test("check passes non-negative codes through and names the call that failed", () => {
    expect(check(5, "snd_pcm_readi", "hw:1,0")).toBe(5);
    expect(() => check(-16, "snd_pcm_open", "hw:1,0")).toThrow('Cannot open capture device "hw:1,0": Device or resource busy');
    expect(() => check(-32, "snd_pcm_readi", "hw:1,0")).toThrow('Cannot read from capture device "hw:1,0": Broken pipe');
  });

  test("a device in ~/.asoundrc opens by name and is listed as a capture PCM", () => {
    const result = runScript(
      `import { CapturePcm } from "./native/alsa/pcm.ts";
       import { listCapturePcms, listCards } from "./native/alsa/devices.ts";
       const pcm = CapturePcm.open("fakemic", { samplerate: 16000, channels: 2, latencyUs: 500000 });
       const out = new Int16Array(20); const rc = pcm.readi(out, 10); pcm.close();
       console.log(JSON.stringify({ rc, first: Array.from(out.subarray(0, 4)), pcms: listCapturePcms(), cards: listCards() }));`,
      mic.env,
    );
    expect(result.err).toBe("");
    const parsed = JSON.parse(result.out) as { rc: number; first: number[]; pcms: unknown[]; cards: unknown[] };
    expect(parsed.rc).toBe(10);
    expect(parsed.first).toEqual(Array.from(input.subarray(0, 4)));
    expect(parsed.pcms).toContainEqual({ name: "fakemic", description: "acoupi fake microphone (raw S16_LE file)", ioid: null });
    expect(Array.isArray(parsed.cards)).toBe(true);
  });

  test("ACOUPI_LIBASOUND pointing nowhere gives a DeviceError that says how to fix it", () => {
    const result = runScript(
      `import { CapturePcm } from "./native/alsa/pcm.ts";
       try { CapturePcm.open("default", { samplerate: 48000, channels: 1, latencyUs: 500000 }); }
       catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, help: e.help })); }`,
      { ACOUPI_LIBASOUND: "/nonexistent/libasound.so.2" },
    );
    const parsed = JSON.parse(result.out) as { name: string; message: string; help: string };
    expect(parsed.name).toBe("DeviceError");
    expect(parsed.message).toStartWith('Cannot load libasound from "/nonexistent/libasound.so.2"');
    expect(parsed.help).toContain("ACOUPI_LIBASOUND");
  });

  test("importing the bindings does not load libasound", () => {
    const result = runScript(
      `await import("./native/alsa/pcm.ts"); await import("./native/alsa/devices.ts");
       console.log("imported");`,
      { ACOUPI_LIBASOUND: "/nonexistent/libasound.so.2" },
    );
    expect(result.out.trim()).toBe("imported");
  });
});
