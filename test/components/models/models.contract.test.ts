/**
 * @module The Model contract, run by OnnxModel (a tiny energy model built at test time, whose
 * scores are mean |x| and mean x², on a 2.25 s tone so the last window is zero-padded), by
 * OnnxModel reading per-frame scores as timed events (the worked example's bat-call detector shape
 * from test/helpers/bat-model.ts, on 1 s at 256 kHz with planted FM sweeps) and by
 * SileroVadModel (Silero VAD v5 from @ricky0123/vad-web on the speech part of the demo clip).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ModelConfigSchema, OnnxModel } from "../../../src/components/models/onnx-model.ts";
import { SileroVadConfigSchema, SileroVadModel } from "../../../src/components/models/silero-vad-model.ts";
import { wavHeader } from "../../../src/audio/wav.ts";
import { modelContract } from "../../contracts/model.contract.ts";
import { REPO } from "../../helpers/cli.ts";
import { BAT, batModel, batModelConfig, writeBatWav } from "../../helpers/bat-model.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { recordingFor, tempDir, tone, writeWav } from "../../helpers/model-fixtures.ts";

const SILERO = join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");

modelContract("OnnxModel", async () => {
  const dir = tempDir("acoupi-model-contract-");
  const modelPath = join(dir, "energy.onnx");
  writeFileSync(modelPath, energyModel(8000));
  const wav = await writeWav(join(dir, "tone.wav"), [tone(440, 2.25, 32000)], 32000, "int16");
  const model = new OnnxModel(
    ModelConfigSchema.parse({ path: modelPath, labels: ["mean_abs", "mean_square"], samplerate: 16000, window: 0.5, threshold: 0.01 }),
  );
  return { model, recording: recordingFor(wav, 32000, 2.25), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

modelContract("OnnxModel with model.frames = peaks", async () => {
  const dir = tempDir("acoupi-events-contract-");
  const modelPath = join(dir, "bat.onnx");
  writeFileSync(modelPath, batModel());
  const wav = join(dir, "bats.wav");
  await writeBatWav(wav, { seconds: 1, onsets: [0.1, 0.39, 0.8, 0.98] });
  const model = new OnnxModel(ModelConfigSchema.parse(batModelConfig(modelPath)));
  return { model, recording: recordingFor(wav, BAT.samplerate, 1), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

modelContract("SileroVadModel", async () => {
  const dir = tempDir("acoupi-vad-contract-");
  // The first 4 s of the demo clip are speech (16 kHz mono S16_LE).
  const clip = new Uint8Array(await Bun.file(join(REPO, "assets/demo-clip.raw")).arrayBuffer()).subarray(0, 4 * 16000 * 2);
  const path = join(dir, "speech.wav");
  writeFileSync(path, Buffer.concat([wavHeader({ samplerate: 16000, channels: 1, bitsPerSample: 16 }, clip.byteLength), clip]));
  const model = new SileroVadModel(SileroVadConfigSchema.parse({ path: SILERO, window: 0.5 }));
  return { model, recording: recordingFor(path, 16000, 4), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
