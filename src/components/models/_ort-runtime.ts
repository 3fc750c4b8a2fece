/**
 * @module Loading onnxruntime-web's WASM backend the one way that also works inside a compiled
 * binary (TOOLCHAIN.md): the `onnxruntime-web/wasm` entry, the `.wasm` embedded as a file asset
 * and handed over as bytes, and one thread. Models import this module dynamically, so `acoupi
 * --help` never loads ORT; the runtime is then loaded once per process and shared by all models.
 */
import * as ort from "onnxruntime-web/wasm";
import wasmPath from "onnxruntime-web/ort-wasm-simd-threaded.wasm" with { type: "file" };

export type OrtModule = typeof ort;

let ready: Promise<OrtModule> | undefined;

/** The initialised ORT module; the first call reads the 14 MB WASM binary. */
export function loadOrt(): Promise<OrtModule> {
  ready ??= (async () => {
    ort.env.wasm.wasmBinary = await Bun.file(wasmPath).arrayBuffer();
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = "error";
    return ort;
  })().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}
