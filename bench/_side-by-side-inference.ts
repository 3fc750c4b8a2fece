/**
 * @module bench/side-by-side.ts's inference half: native onnxruntime-node and the compiled WASM
 * children on the BirdNET-shaped model of bench/inference.ts (1 thread, alternating, median of
 * their medians), then the peak RSS of the compiled `detection` runner with that model loaded.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./deployment.ts";
import { birdnetShapedModel, compileSelf, runChild, type Result } from "./inference.ts";
import { ALWAYS, runnerMemory } from "./model-memory.ts";

export interface InferenceFigures {
  nativeMs: number;
  wasmMs: number;
  nativeRuns: number[];
  wasmRuns: number[];
  runnerPeakMb: number;
  runnerRssMb: number;
  modelMb: number;
}

/** Native and compiled WASM children, alternating `reps` times; then the runner with that model. */
export async function inference(binary: string, reps: number): Promise<InferenceFigures> {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-side-by-side-"));
  try {
    const { bytes } = birdnetShapedModel();
    const modelPath = join(dir, "birdnet-shaped.onnx");
    writeFileSync(modelPath, bytes);
    const labels = join(dir, "labels.txt");
    writeFileSync(labels, Array.from({ length: 6522 }, (_, i) => `label ${i}`).join("\n"));
    const benchBinary = compileSelf(dir);
    const inferenceTs = join(import.meta.dir, "inference.ts");
    const common = (kind: string) => ["--half", kind, "--label", kind, "--threads", "1", "--model", modelPath, "--runs", "5", "--dir", dir];
    const native: Result[] = [];
    const wasm: Result[] = [];
    for (let i = 0; i < reps; i++) {
      native.push(runChild([process.execPath, inferenceTs], common("native")));
      wasm.push(runChild([benchBinary], common("wasm")));
    }
    const runner = await runnerMemory(binary, ["--program", "detection", "--recording.duration", "3", "--recording.interval", "10", ...ALWAYS,
      "--model.path", modelPath, "--model.labels", labels, "--model.samplerate", "48000", "--model.window", "3", "--model.activation", "sigmoid"], 48000);
    const nativeRuns = native.map((r) => median(r.runMs));
    const wasmRuns = wasm.map((r) => median(r.runMs));
    return {
      nativeMs: median(nativeRuns),
      wasmMs: median(wasmRuns),
      nativeRuns,
      wasmRuns,
      runnerPeakMb: runner.hwmMb * 1.048576,
      runnerRssMb: runner.rssMb * 1.048576,
      modelMb: bytes.length / 1e6,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
