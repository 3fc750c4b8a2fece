/**
 * @module Bun's own Web Worker class, captured before anything can replace it. onnxruntime-web's
 * Emscripten glue, when it initialises under Node-like runtimes, sets `global.Worker` to
 * worker_threads' Worker, whose API differs (no `onmessage`, no `smol`, no file:// URLs). The
 * capture stream starts its workers with this class, and the ORT runtime imports this module
 * before onnxruntime-web, so the capture works whichever of the two a process loads first.
 */
export const WebWorker: typeof Worker = globalThis.Worker;
