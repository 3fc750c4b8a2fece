import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SileroVadConfigSchema, SileroVadModel } from "../../../src/components/models/silero-vad-model.ts";
import { ModelError } from "../../../src/errors.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { recordingFor, tempDir, tone, writeWav } from "../../helpers/model-fixtures.ts";

const SILERO = "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx";
const dir = tempDir("acoupi-vad-");
let model: SileroVadModel;
let speech16k: string;
let speechNative: string;

function run(cmd: string[]): void {
  const result = Bun.spawnSync(cmd, { stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${cmd[0]} failed: ${result.stderr.toString()}`);
}

beforeAll(() => {
  // Real speech: espeak-ng writes 22.05 kHz, sox makes the 16 kHz mono file Silero expects.
  speechNative = join(dir, "speech-22k.wav");
  speech16k = join(dir, "speech-16k.wav");
  run(["espeak-ng", "-v", "en", "-s", "150", "-w", speechNative, "The quick brown fox jumps over the lazy dog near the river bank."]);
  run(["sox", speechNative, "-r", "16000", "-c", "1", "-b", "16", speech16k]);
  model = new SileroVadModel(SileroVadConfigSchema.parse({ path: SILERO }));
});

afterAll(async () => {
  await model.close();
});

describe("SileroVadModel", () => {
  test("SileroVadModel detects real speech synthesised by espeak-ng", async () => {
    const output = await model.run(recordingFor(speech16k, 16000, 3));
    expect(output.name_model).toBe("silero_vad_v5");
    expect(output.detections.length).toBeGreaterThan(0);
    for (const d of output.detections) {
      expect(d.detection_score).toBeGreaterThanOrEqual(0.5);
      expect(d.tags).toEqual([{ tag: { key: "sound", value: "speech" }, confidence_score: d.detection_score }]);
      expect(d.location?.coordinates[3]).toBe(8000);
    }
  });

  test("SileroVadModel resamples a 22.05 kHz recording and still detects the speech", async () => {
    const output = await model.run(recordingFor(speechNative, 22050, 3));
    expect(output.detections.length).toBeGreaterThan(0);
    expect(output.detections[0]?.location?.coordinates[3]).toBe(11025);
  });

  test("SileroVadModel detects nothing in silence", async () => {
    const silence = await writeWav(join(dir, "silence.wav"), [new Float32Array(16000 * 3)], 16000);
    const output = await model.run(recordingFor(silence, 16000, 3));
    expect(output.detections).toEqual([]);
  });

  test("SileroVadModel detects nothing in a pure tone", async () => {
    const wav = await writeWav(join(dir, "tone.wav"), [tone(440, 3, 16000, 0.5)], 16000, "int16");
    const output = await model.run(recordingFor(wav, 16000, 3));
    expect(output.detections).toEqual([]);
  });

  test("SileroVadModel refuses a model that is not Silero VAD v5", async () => {
    const path = join(dir, "energy.onnx");
    await Bun.write(path, energyModel(512));
    const other = new SileroVadModel(SileroVadConfigSchema.parse({ path }));
    const error = await other.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toBe(`Model "${path}" is not Silero VAD v5: its inputs are audio: float32`);
  });
});
