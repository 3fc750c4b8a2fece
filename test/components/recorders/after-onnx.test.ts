/**
 * @module A capture stream started in a process where onnxruntime-web initialised first, before
 * the recorder module was even imported. ORT's glue replaces global.Worker with worker_threads'
 * Worker; the recorder must still start Bun's Web Worker and record. Run in a fresh child process,
 * since `bun test` shares one process between files and another file may have loaded either first.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../../helpers/cli.ts";
import { createFakeMic, testSignal } from "../../helpers/fake-mic.ts";

test("a recording made after a model has initialised onnxruntime-web still captures every sample", async () => {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-after-onnx-"));
  const mic = await createFakeMic(testSignal(16000), { parent: dir });
  try {
    const script = join(dir, "order.ts");
    writeFileSync(
      script,
      `const { SileroVadModel, SileroVadConfigSchema } = await import(${JSON.stringify(join(REPO, "src/components/models/silero-vad-model.ts"))});
       const model = new SileroVadModel(SileroVadConfigSchema.parse({ path: ${JSON.stringify(join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx"))} }));
       await model.check();
       const { AlsaRecorder } = await import(${JSON.stringify(join(REPO, "src/components/recorders/alsa-recorder.ts"))});
       const { createDeployment } = await import(${JSON.stringify(join(REPO, "src/data/index.ts"))});
       const recorder = new AlsaRecorder(
         { microphone: { device_name: ${JSON.stringify(mic.device)}, samplerate: 16000, audio_channels: 1, time_expansion: 1 }, duration: 0.5, chunksize: 1024, tmpDir: ${JSON.stringify(dir)}, deviceId: "d", firmwareVersion: "t", continuous: false },
         { alsaConfig: () => ${JSON.stringify(mic.configText)} },
       );
       const recording = await recorder.record(createDeployment({ name: "x" }));
       await recorder.close();
       await model.close();
       console.log(JSON.stringify({ path: recording.path, duration: recording.duration }));`,
    );
    const proc = Bun.spawnSync([process.execPath, script], { cwd: REPO, stdout: "pipe", stderr: "pipe", timeout: 60_000 });
    expect(proc.exitCode, proc.stderr.toString()).toBe(0);
    const out = JSON.parse(proc.stdout.toString().trim().split("\n").pop() as string) as { path: string; duration: number };
    expect(out.duration).toBe(0.5);
    const bytes = new Uint8Array(await Bun.file(out.path).arrayBuffer());
    // The data chunk follows the 44-byte header (GUANO comes after the samples).
    const samples = new Int16Array(bytes.buffer, 44, 8000);
    expect(Array.from(samples)).toEqual(Array.from(testSignal(16000).subarray(0, 8000)));
  } finally {
    await mic.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
