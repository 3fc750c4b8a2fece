/**
 * The privacy task with the real Silero VAD (the bundled model) on real synthetic speech
 * (espeak-ng) laid over a tone or noise at several levels, in WAV files stored in a real
 * SqliteStore: speech recordings are deleted (or muted in their speech spans only), the others
 * go on, screened.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { buildGuano, guanoChunk, readGuano } from "../../src/audio/guano.ts";
import { parseWav, wavHeader, wavSamples16 } from "../../src/audio/wav.ts";
import { SileroVadConfigSchema, SileroVadModel } from "../../src/components/models/silero-vad-model.ts";
import { BUNDLED_SILERO_VAD } from "../../src/components/privacy/bundled-vad.ts";
import { PrivacyConfigSchema } from "../../src/components/privacy/privacy-filter.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Recording } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { privacyTask } from "../../src/tasks/privacy.ts";
import { deployment, recording } from "../contracts/store.contract.ts";
import { mix, noise, s16le, speech, tone } from "../helpers/speech.ts";

const RATE = 16000;
const SECONDS = 4;
const quiet = createConsola({ level: -999 });
let dir: string;
let store: SqliteStore;
let vad: SileroVadModel;
let voice: Float32Array;
const site = deployment();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-privacy-"));
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
  vad = new SileroVadModel(SileroVadConfigSchema.parse({ path: BUNDLED_SILERO_VAD, name: "privacy_silero_vad" }));
  voice = speech("Meet me by the bench at six, and bring the keys.", RATE);
});
afterAll(async () => {
  await vad.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function stored(name: string, samples: Float32Array): Recording {
  const data = s16le(samples);
  const guano = guanoChunk(buildGuano([["Make", "acoupi"], ["Samplerate", String(RATE)]]));
  const path = join(dir, `${name}.wav`);
  writeFileSync(path, Buffer.concat([wavHeader({ samplerate: RATE, channels: 1, bitsPerSample: 16 }, data.byteLength, guano.byteLength), data, guano]));
  const rec = recording({ deployment: site, path, samplerate: RATE, duration: samples.length / RATE });
  store.storeRecording(rec);
  return rec;
}

function row(rec: Recording): { state: string; path: string | null; outputs: number } {
  const r = store.connection.query<{ state: string; path: string | null }, [string]>("SELECT state, path FROM recordings WHERE id = ?").get(rec.id);
  const n = store.connection.query<{ n: number }, [string]>("SELECT count(*) AS n FROM model_outputs WHERE recording_id = ?").get(rec.id);
  return { state: r?.state ?? "none", path: r?.path ?? null, outputs: n?.n ?? 0 };
}

describe("the privacy task", () => {
  test("recordings with speech over a tone or noise at several levels are deleted; tone and noise alone go on, screened", async () => {
    // A 2 kHz tone at 0.1 (-20 dBFS). At 0.3 (-10 dBFS) Silero hears no speech under it (max
    // probability 0.47 for speech at 0.9): the filter does not promise to find speech a louder
    // continuous sound masks.
    const bedTone = tone(SECONDS, RATE, 2000, 0.1);
    const bedNoise = noise(SECONDS, RATE, 0.05);
    const speechCases = [
      stored("speech-over-tone-loud", mix(bedTone, voice, 0.9, RATE, 0.5)),
      stored("speech-over-tone-soft", mix(bedTone, voice, 0.3, RATE, 0.5)),
      stored("speech-over-noise", mix(bedNoise, voice, 0.5, RATE, 0.5)),
      stored("speech-over-noise-faint", mix(bedNoise, voice, 0.15, RATE, 0.5)),
    ];
    const cleanCases = [stored("tone", bedTone), stored("noise", bedNoise), stored("silence", new Float32Array(SECONDS * RATE))];
    const clock = new ManualClock(new Date(Date.UTC(2025, 5, 1, 12)));
    const privacy = privacyTask({ vad, store, config: PrivacyConfigSchema.parse({ enabled: true }), clock, logger: quiet });
    for (const rec of speechCases) {
      expect(await privacy.run(rec)).toBeUndefined();
      expect(existsSync(rec.path ?? "")).toBe(false);
      expect(row(rec)).toEqual({ state: "discarded", path: null, outputs: 0 });
    }
    for (const rec of cleanCases) {
      expect(await privacy.run(rec)).toEqual(rec);
      expect(existsSync(rec.path ?? "")).toBe(true);
      expect(row(rec)).toEqual({ state: "temp", path: rec.path, outputs: 1 });
    }
    const figures = privacy.status().figures ?? {};
    expect(figures).toMatchObject({ screened: 7, speech_dropped: 4, speech_dropped_today: 4, day: "2025-06-01", failed_closed: 0 });
    clock.advance(86_400_000);
    expect(privacy.metrics().find((m) => m.name === "privacy_speech_dropped_today")?.value).toBe(0);
    expect(privacy.metrics().find((m) => m.name === "privacy_speech_dropped")?.value).toBe(4);
  }, 60_000);

  test("with action mute only the speech spans become silent, the tone around them stays, and the header and GUANO are rewritten", async () => {
    const bed = tone(SECONDS + 2, RATE, 2000, 0.1);
    const rec = stored("mute-me", mix(bed, voice, 0.9, RATE, 1));
    const before = wavSamples16(new Uint8Array(readFileSync(rec.path ?? "")));
    const privacy = privacyTask({ vad, store, config: PrivacyConfigSchema.parse({ enabled: true, action: "mute" }), clock: new ManualClock(), logger: quiet });
    expect(await privacy.run(rec)).toEqual(rec);
    const bytes = new Uint8Array(readFileSync(rec.path ?? ""));
    const layout = parseWav(bytes);
    const after = wavSamples16(bytes);
    expect(layout.format).toMatchObject({ samplerate: RATE, channels: 1, bitsPerSample: 16 });
    expect(after.length).toBe(before.length);
    // RIFF size covers the whole file.
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(bytes.byteLength - 8);
    const zeroed = after.reduce((n, v, i) => n + (v === 0 && before[i] !== 0 ? 1 : 0), 0);
    const voiceSamples = voice.length;
    expect(zeroed).toBeGreaterThan(voiceSamples * 0.5);
    // The first half second (tone only) is untouched.
    expect(after.subarray(0, RATE / 2)).toEqual(before.subarray(0, RATE / 2));
    const guano = readGuano(bytes);
    expect(guano?.get("Make")).toBe("acoupi");
    expect(guano?.get("Note")).toMatch(/^speech muted by acoupi's privacy filter: \d/);
    expect(privacy.status().figures).toMatchObject({ speech_muted: 1, speech_dropped: 0 });
    // The muted file screens clean.
    const again = privacyTask({ vad, store, config: PrivacyConfigSchema.parse({ enabled: true }), clock: new ManualClock(), logger: quiet });
    expect(await again.run(rec)).toEqual(rec);
  }, 60_000);

  test("a recording the VAD cannot read is deleted unheard (the filter fails closed)", async () => {
    const path = join(dir, "broken.wav");
    writeFileSync(path, "not a wav");
    const rec = recording({ deployment: site, path });
    store.storeRecording(rec);
    const privacy = privacyTask({ vad, store, config: PrivacyConfigSchema.parse({ enabled: true }), clock: new ManualClock(), logger: quiet });
    expect(await privacy.run(rec)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
    expect(privacy.status().degraded).toMatch(/failed on 1 recordings/);
  }, 30_000);
});
