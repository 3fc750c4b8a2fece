/**
 * @module Time expansion in the capture: a 384 kHz capture with time expansion 10 from the fake
 * microphone (test/helpers/time-expanded-capture.ts) is written with the expanded rate in its WAV
 * header while the recording keeps the real one. The model, exports and spectrogram of the same
 * capture are in test/e2e/report/time-expansion.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseWav } from "../../src/audio/wav.ts";
import type { Recording } from "../../src/data/index.ts";
import { makeTempHome, type TempHome } from "../helpers/cli.ts";
import { EXPANDED_RATE as RATE, EXPANDED_TE as TE, recordExpandedBurst } from "../helpers/time-expanded-capture.ts";

let home: TempHome;
let recording: Recording;

beforeAll(async () => {
  home = makeTempHome("acoupi-te-");
  recording = (await recordExpandedBurst(home.home)).recording;
}, 60_000);
afterAll(() => home.cleanup());

describe("time expansion in real units", () => {
  test("the file's header holds the expanded rate while the recording keeps the real one", async () => {
    const bytes = new Uint8Array(await Bun.file(recording.path ?? "").arrayBuffer());
    expect(parseWav(bytes).format.samplerate).toBe(RATE / TE);
    expect(recording).toMatchObject({ samplerate: RATE, time_expansion: TE, duration: 2 });
  }, 30_000);
});
