/**
 * @module The model Worker: it owns one model built from the program's `model` section (an ONNX
 * classifier or sound-event model, or Silero VAD) and runs it on the recordings the main thread
 * posts, one at a time, in order. Reading the WAV, resampling and ORT inference all happen here, so
 * the main thread (which writes the captured audio and files the recordings) never waits for them.
 * Terminating the worker frees the whole ORT heap. Messages: `run`, `check` and `close`, each with
 * an id; each reply carries the id, the result or the error (code, message and help), and the
 * model's status.
 */
import { AcoupiError } from "../../errors.ts";
import type { CheckReport, ComponentStatus, ModelOutput, Recording } from "../../data/index.ts";
import { modelFromConfig, type ModelSection } from "./model-from-config.ts";
import { releaseExecutablePages } from "../../app/release-startup-pages.ts";
import type { Model } from "./types.ts";

declare const self: Worker;

export interface ModelWorkerInit {
  section: ModelSection;
  threshold: number;
  /**
   * In a runner: load ORT at once and give back the executable's pages it read (its 14 MB WASM)
   * before the model is read, so that they do not add to the peak of loading the model.
   */
  releasePages: boolean;
}

export type ModelRequest =
  | { id: number; op: "init"; init: ModelWorkerInit }
  | { id: number; op: "run"; recording: Recording }
  | { id: number; op: "check" }
  | { id: number; op: "close" };

export interface SerializedModelError {
  code: string;
  name: string;
  message: string;
  help?: string;
}

export type ModelReply =
  | { id: number; ok: true; value: ModelOutput | CheckReport | null; status: ComponentStatus | null }
  | { id: number; ok: false; error: SerializedModelError; status: ComponentStatus | null };

let model: Model | null = null;

function serialize(error: unknown): SerializedModelError {
  if (error instanceof AcoupiError) return { code: error.code, name: error.name, message: error.message, ...(error.help === undefined ? {} : { help: error.help }) };
  const e = error instanceof Error ? error : new Error(String(error));
  return { code: "internal", name: e.name, message: e.message };
}

async function handle(request: ModelRequest): Promise<ModelOutput | CheckReport | null> {
  if (request.op === "init") {
    const { section, threshold, releasePages } = request.init;
    model = modelFromConfig(section, threshold);
    if (releasePages) {
      const { loadOrt } = await import("./_ort-runtime.ts");
      await loadOrt(section.threads);
      await releaseExecutablePages();
    }
    return null;
  }
  if (model === null) throw new AcoupiError("internal", "The model worker got a request before its model");
  if (request.op === "run") return model.run(request.recording);
  if (request.op === "check") return model.check();
  await model.close();
  return null;
}

// One request at a time, in order: the Model contract says `run` is not safe to call concurrently.
let chain: Promise<void> = Promise.resolve();
self.onmessage = (event: MessageEvent<ModelRequest>) => {
  const request = event.data;
  chain = chain.then(async () => {
    let reply: ModelReply;
    try {
      const value = await handle(request);
      reply = { id: request.id, ok: true, value, status: model?.status?.() ?? null };
    } catch (error) {
      reply = { id: request.id, ok: false, error: serialize(error), status: model?.status?.() ?? null };
    }
    self.postMessage(reply);
    // A run's garbage (the WAV's bytes, the resampled audio, the tensors) lies mostly outside the
    // JS heap, where the allocation-driven collector does not see it, and the runner's 10 s GC
    // timer does not reach this thread's heap: collect it now, once per request (a few ms, against
    // ~25 MB that otherwise piles up over three runs of a BirdNET-size model).
    Bun.gc(true);
  });
};
