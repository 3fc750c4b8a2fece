/**
 * @module WorkerModel: the `model` section's model, run in its own Worker (model-worker.ts) so
 * that inference never delays capture or filing on the main thread (docs/capture-first.md). The
 * section is validated and the model named here, on construction, as `modelFromConfig` does; the
 * worker starts on the first `run` or `check`, takes requests one at a time, and is terminated on
 * `close`, which frees the ORT heap at once, even mid-inference. A worker that crashes fails the
 * requests it held with a ModelError, and the next request starts a fresh one.
 */
import { WebWorker } from "../../system/web-worker.ts";
import type { CheckReport, ComponentStatus, ModelOutput, Recording } from "../../data/index.ts";
import { AcoupiError, ConfigError, ModelError } from "../../errors.ts";
import { releasePagesAgain, runnerReleasesPages } from "../../app/release-startup-pages.ts";
import { workerUrl } from "../../system/worker-url.ts";
import { modelFromConfig, type ModelSection } from "./model-from-config.ts";
import type { ModelReply, ModelRequest, SerializedModelError } from "./model-worker.ts";
import type { Model } from "./types.ts";

type Request = ModelRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

function revive(error: SerializedModelError): AcoupiError {
  const options = error.help === undefined ? {} : { help: error.help };
  if (error.code === "model") return new ModelError(error.message, options);
  if (error.code === "config") return new ConfigError(error.message, options);
  const revived = new AcoupiError(error.code, error.message, options);
  revived.name = error.name;
  return revived;
}

export class WorkerModel implements Model {
  readonly name: string;
  #section: ModelSection;
  #threshold: number;
  #worker: Worker | null = null;
  #pending = new Map<number, { resolve: (value: ModelOutput | CheckReport | null) => void; reject: (error: unknown) => void }>();
  #nextId = 1;
  #status: ComponentStatus | null = null;
  #crash: string | null = null;
  #firstReply = false;

  constructor(section: ModelSection, threshold: number) {
    // Validates the section and names the model; nothing is loaded on this thread.
    this.name = modelFromConfig(section, threshold).name;
    this.#section = section;
    this.#threshold = threshold;
  }

  async run(recording: Recording): Promise<ModelOutput> {
    return (await this.#call({ op: "run", recording })) as ModelOutput;
  }

  async check(): Promise<CheckReport> {
    return (await this.#call({ op: "check" })) as CheckReport;
  }

  /** Ends the worker now; a request still running fails with a ModelError. */
  async close(): Promise<void> {
    this.#discard("the model was closed");
  }

  status(): ComponentStatus {
    const own = this.#status ?? {};
    return this.#crash === null ? own : { ...own, degraded: own.degraded ?? `model worker crashed: ${this.#crash}` };
  }

  #call(request: Request): Promise<ModelOutput | CheckReport | null> {
    const worker = this.#worker ?? this.#spawn();
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<ModelOutput | CheckReport | null>();
    this.#pending.set(id, { resolve, reject });
    worker.ref();
    worker.postMessage({ ...request, id } as ModelRequest);
    return promise;
  }

  #spawn(): Worker {
    const url = workerUrl(import.meta.url, "model-worker.ts");
    if (url === null) {
      throw new ModelError("Cannot run the model: the model worker is not embedded in this binary", {
        help: "Build with the worker as an extra entry point (build.ts lists src/components/models/model-worker.ts)",
      });
    }
    // Loading ORT and the model is the runner's peak of memory: give back the executable's
    // start-up pages first (in a runner only), so that they do not add to it, and once more after
    // the first reply, for the 14 MB of ORT's WASM the worker read from the executable.
    releasePagesAgain(0);
    this.#firstReply = true;
    const worker = new WebWorker(url, { smol: true });
    worker.onmessage = (event: MessageEvent<ModelReply>) => {
      if (worker !== this.#worker) return;
      const reply = event.data;
      this.#status = reply.status;
      if (this.#firstReply && reply.id > 0) {
        this.#firstReply = false;
        releasePagesAgain();
      }
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (waiter === undefined) return;
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(revive(reply.error));
    };
    worker.onerror = (event: ErrorEvent) => {
      if (worker !== this.#worker) return;
      this.#crash = event.message;
      this.#discard(`the model worker crashed: ${event.message}`);
    };
    this.#worker = worker;
    this.#nextId = 1;
    worker.postMessage({ id: 0, op: "init", init: { section: this.#section, threshold: this.#threshold, releasePages: runnerReleasesPages() } } satisfies ModelRequest);
    return worker;
  }

  /** Terminates the worker and fails whatever it still held. */
  #discard(reason: string): void {
    const worker = this.#worker;
    this.#worker = null;
    worker?.terminate();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const waiter of pending) waiter.reject(new ModelError(`Model "${this.name}" did not finish: ${reason}`, { help: "The recording stays in temp; it is analysed at the next stop or filed per file_management.on_timeout" }));
  }
}
