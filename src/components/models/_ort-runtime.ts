/**
 * @module Loading onnxruntime-web's WASM backend in a way that also works inside a compiled
 * binary: the `.wasm` and its Emscripten glue (`.mjs`) are embedded as file assets, the `.wasm`
 * handed over as bytes and the glue by its `/$bunfs` URL, which is also what lets the glue start
 * its pthread Workers, so `threads` > 1 works compiled too (Bun resolves `onnxruntime-web` to
 * ORT's Node build, which imports the glue from `wasmPaths` without the browser's blob-URL detour
 * that Bun Workers cannot load). Models import this module dynamically, so `acoupi --help` never
 * loads ORT; the runtime is loaded once per process, with the thread count of the first model,
 * and shared by all models. Once the WASM is instantiated its 14 MB of bytes are released.
 */
import { pathToFileURL } from "node:url";
// Before onnxruntime-web: its glue replaces global.Worker (see web-worker.ts).
import "../../system/web-worker.ts";
import * as ort from "onnxruntime-web";
import wasmPath from "onnxruntime-web/ort-wasm-simd-threaded.wasm" with { type: "file" };
import gluePath from "onnxruntime-web/ort-wasm-simd-threaded.mjs" with { type: "file" };
import { logger } from "../../log.ts";

export type OrtModule = typeof ort;

const log = logger("model");

let ready: Promise<OrtModule> | undefined;
let threadCount = 1;
let wasmBytes: ArrayBuffer | undefined;

/** A 92-byte ONNX model, y = sigmoid(x) on [1] float, that makes ORT instantiate its WASM. */
const TINY_MODEL = "CAgSC2Fjb3VwaS10ZXN0OkUKGgoBeBIBeRoJc2lnbW9pZF8wIgdTaWdtb2lkEgVncmFwaFoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEBE=";

/**
 * Instantiates ORT's WASM with a tiny session, frees the binary's bytes and collects, before any
 * real model is read. Instantiating takes about 95 MB for a moment (the 14 MB binary, its compiled
 * code, the first WASM heap) and reading a model takes about 1.6x its size for a moment; doing
 * them one after the other instead of together lowers the peak RSS by about 25 MB with a 43 MB
 * model (issue 16), at no cost in speed.
 */
async function instantiateAlone(): Promise<void> {
  const warm = await ort.InferenceSession.create(Uint8Array.fromBase64(TINY_MODEL), { executionProviders: ["wasm"] });
  await warm.release();
  releaseWasmBytes();
  Bun.gc(true);
}

/**
 * The initialised ORT module; the first call reads the 14 MB WASM binary and fixes the number of
 * WASM threads for the whole process (ORT-web has one global thread pool).
 */
export function loadOrt(threads = 1): Promise<OrtModule> {
  if (ready !== undefined && threads !== threadCount) {
    log.warn(`ONNX runtime already runs with ${threadCount} thread(s); a model asked for ${threads}, it gets ${threadCount}`);
  }
  ready ??= (async () => {
    threadCount = threads;
    wasmBytes = await Bun.file(wasmPath).arrayBuffer();
    ort.env.wasm.wasmBinary = wasmBytes;
    ort.env.wasm.wasmPaths = { mjs: pathToFileURL(gluePath).href };
    ort.env.wasm.numThreads = threads;
    ort.env.logLevel = "error";
    await instantiateAlone();
    return ort;
  })().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

/**
 * Frees the WASM binary's bytes once ORT has instantiated it (call after the first session was
 * created). Emscripten keeps its own reference to the bytes for good, though it only reads them
 * to instantiate, and pthread Workers get the compiled module instead; detaching the buffer is
 * the only way to give those 14 MB back.
 */
export function releaseWasmBytes(): void {
  if (wasmBytes === undefined || wasmBytes.detached) return;
  wasmBytes.transfer(0);
  ort.env.wasm.wasmBinary = undefined;
  wasmBytes = undefined;
}

/**
 * The number of WASM threads the runtime runs with: 1 before it is loaded, and 1 when ORT found
 * no SharedArrayBuffer and fell back to one thread (it then rewrites `env.wasm.numThreads`).
 */
export function ortThreads(): number {
  return ready === undefined ? 1 : (ort.env.wasm.numThreads ?? threadCount);
}
