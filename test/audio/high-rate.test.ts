/**
 * @module High-rate audio end to end, from the fake microphone: at 256, 384 and 500 kHz the
 * recorder captures exact files, the privacy screen (the bundled Silero VAD, at 16 kHz) deletes a
 * recording with speech and passes a clean one, and an ONNX model at 256 kHz reads the clean one
 * with ultrasound above its Nyquist frequency removed. With time expansion the same chain works in
 * real time: the model's windows and the privacy screen's spans are in seconds of the field.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { readGuano } from "../../src/audio/guano.ts";
import { parseWav } from "../../src/audio/wav.ts";
import { ModelConfigSchema, OnnxModel } from "../../src/components/models/onnx-model.ts";
import { SileroVadConfigSchema, SileroVadModel } from "../../src/components/models/silero-vad-model.ts";
import { BUNDLED_SILERO_VAD } from "../../src/components/privacy/bundled-vad.ts";
import { PrivacyConfigSchema } from "../../src/components/privacy/privacy-filter.ts";
import { AlsaRecorder } from "../../src/components/recorders/alsa-recorder.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import { createDeployment, type Recording } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { privacyTask } from "../../src/tasks/privacy.ts";
import { createFakeMic } from "../helpers/fake-mic.ts";
import { energyModel } from "../helpers/onnx-builder.ts";
import { mix, speech, tone } from "../helpers/speech.ts";

const MODEL_RATE = 256_000;
const WINDOW = 0.5;
const SECONDS = 2;
const quiet = createConsola({ level: -999 });
const site = createDeployment({ name: "bat roost", latitude: 51.5, longitude: -0.1 });
let dir: string;
let store: SqliteStore;
let vad: SileroVadModel;
let model: OnnxModel;
const voices = new Map<number, Float32Array>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-high-rate-"));
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
  store.storeDeployment(site);
  vad = new SileroVadModel(SileroVadConfigSchema.parse({ path: BUNDLED_SILERO_VAD, name: "privacy_silero_vad" }));
  const path = join(dir, "energy256k.onnx");
  await Bun.write(path, energyModel(MODEL_RATE * WINDOW));
  model = new OnnxModel(ModelConfigSchema.parse({ path, labels: ["level", "energy"], samplerate: MODEL_RATE, window: WINDOW }), { threshold: 0 });
});
afterAll(async () => {
  await vad.close();
  await model.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function voiceAt(rate: number): Float32Array {
  let voice = voices.get(rate);
  if (voice === undefined) voices.set(rate, (voice = speech("Meet me by the bench at six.", rate)));
  return voice;
}

/** Ultrasound a bat detector hears: 60 kHz (below the model's 128 kHz Nyquist) and, where the rate allows, 150 kHz (above it). */
function ultrasound(rate: number, seconds: number): Float32Array {
  const low = tone(seconds, rate, 60_000, 0.4);
  if (rate / 2 <= 150_000) return low;
  const high = tone(seconds, rate, 150_000, 0.4);
  return low.map((v, i) => v + (high[i] as number));
}

function int16(samples: Float32Array): Int16Array {
  return Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
}

/** Records `SECONDS` of `signal` through AlsaRecorder from a fake microphone at `rate`. */
async function capture(signal: Float32Array, rate: number, timeExpansion = 1): Promise<Recording> {
  const mic = await createFakeMic(int16(signal), { parent: dir });
  const recorder = new AlsaRecorder(
    {
      microphone: { device_name: mic.device, samplerate: rate, audio_channels: 1, time_expansion: timeExpansion },
      duration: SECONDS,
      tmpDir: join(mic.dir, "tmp"),
      deviceId: "10000000abcdef01",
      firmwareVersion: "0.1.0",
    },
    { alsaConfig: mic.configText },
  );
  try {
    const check = await recorder.check();
    expect(check.lines[0]).toContain(`${rate} Hz`);
    const recording = await recorder.record(site);
    store.storeRecording(recording);
    return recording;
  } finally {
    await recorder.close();
  }
}

function screen(action: "delete" | "mute" = "delete") {
  return privacyTask({ vad, store, config: PrivacyConfigSchema.parse({ enabled: true, action }), clock: new ManualClock(), logger: quiet });
}

function energyOf(output: Awaited<ReturnType<OnnxModel["run"]>>): number[] {
  return output.detections.filter((d) => d.tags[0]?.tag.value === "energy").map((d) => d.detection_score);
}

describe("high-rate audio from the fake microphone", () => {
  for (const rate of [256_000, 384_000, 500_000]) {
    test(`at ${rate} Hz capture is exact, the privacy screen deletes speech and passes ultrasound, and a 256 kHz model hears only its band`, async () => {
      const clean = await capture(ultrasound(rate, SECONDS), rate);
      const bytes = new Uint8Array(await Bun.file(clean.path ?? "").arrayBuffer());
      const layout = parseWav(bytes);
      expect(layout.format.samplerate).toBe(rate);
      expect(layout.dataBytes).toBe(rate * SECONDS * 2);
      expect(clean.samplerate).toBe(rate);

      const privacy = screen();
      expect(await privacy.run(clean)).toEqual(clean);
      expect(privacy.status().figures).toMatchObject({ screened: 1, failed_closed: 0 });

      const output = await model.run(clean);
      const energies = energyOf(output);
      expect(energies).toHaveLength(SECONDS / WINDOW);
      // 0.4 × sin has mean square 0.08; a 150 kHz tone folded into the band would double it.
      for (const e of energies) expect(e).toBeCloseTo(0.08, 2);
      expect(output.detections[0]?.location?.coordinates).toEqual([0, 0, WINDOW, rate / 2]);

      const voiced = await capture(mix(ultrasound(rate, SECONDS), voiceAt(rate), 0.5, rate, 0.1), rate);
      expect(await privacy.run(voiced)).toBeUndefined();
      expect(existsSync(voiced.path ?? "")).toBe(false);
      expect(privacy.status().figures).toMatchObject({ screened: 2, speech_dropped: 1, failed_closed: 0 });
    }, 120_000);
  }

  test("with time expansion 10 at 384 kHz, the model's windows and the muted spans are in real seconds", async () => {
    const rate = 384_000;
    const voice = voiceAt(rate);
    const recording = await capture(mix(ultrasound(rate, SECONDS), voice, 0.5, rate, 0.1), rate, 10);
    const bytes = new Uint8Array(await Bun.file(recording.path ?? "").arrayBuffer());
    expect(parseWav(bytes).format.samplerate).toBe(38_400);
    expect(readGuano(bytes)?.get("TE")).toBe("10.0");
    expect(recording.time_expansion).toBe(10);

    const output = await model.run(recording);
    // Real time: four 0.5 s windows over 2 s, not forty over the 20 s the header implies.
    expect(energyOf(output)).toHaveLength(SECONDS / WINDOW);
    expect(Math.max(...output.detections.map((d) => d.location?.coordinates[2] ?? 0))).toBe(SECONDS);
    expect(output.detections[0]?.location?.coordinates[3]).toBe(rate / 2);

    const privacy = screen("mute");
    expect(await privacy.run(recording)).toEqual(recording);
    expect(privacy.status().figures).toMatchObject({ speech_muted: 1, failed_closed: 0 });
    const note = readGuano(new Uint8Array(await Bun.file(recording.path ?? "").arrayBuffer()))?.get("Note") ?? "";
    const spans = [...note.matchAll(/(\d+\.\d+)-(\d+\.\d+) s/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(spans.length).toBeGreaterThan(0);
    // The speech lies within the 2 s of real time, starting near 0.1 s.
    for (const [start, end] of spans) {
      expect(start).toBeGreaterThanOrEqual(0);
      expect(end).toBeLessThanOrEqual(SECONDS);
    }
    expect(spans[0]?.[0]).toBeLessThan(0.5);
  }, 120_000);
});
