/**
 * @module The capture Worker's thread, kept alive between streams. Starting a Bun Worker and
 * tearing it down costs about 8 ms of CPU, which was two thirds of the runner's idle CPU when
 * every 3 s recording in 10 s started its own (issue 16). A recorder keeps one CaptureThread: each
 * stream attaches to it, posts its `start` and detaches once the worker replied `stopped`, so
 * the device is still opened and closed per file while the thread stays. Between streams the
 * worker is unref'd, so an idle thread never keeps a CLI command from exiting. A worker that
 * crashed or did not stop in time is terminated and the next stream starts a fresh one.
 */
// Bun's Web Worker, whatever onnxruntime-web did to global.Worker since (see web-worker.ts).
import { WebWorker } from "../../system/web-worker.ts";
import { workerUrl } from "../../system/worker-url.ts";
import { DeviceError } from "../../errors.ts";
import type { CaptureReply, CaptureStart } from "./capture-worker.ts";

/** Where the worker script is: beside this file, or in a compiled binary's embedded files (worker-url.ts). */
export function captureWorkerUrl(): string {
  const found = workerUrl(import.meta.url, "capture-worker.ts");
  if (found === null)
    throw new DeviceError("Cannot start audio capture: the capture worker is not embedded in this binary", {
      help: "Build with the worker as an extra entry point: bun build --compile src/cli/main.ts src/components/recorders/capture-worker.ts",
    });
  return found;
}

/** What an attached stream hears from the worker. */
export interface CaptureListener {
  onReply(reply: CaptureReply): void;
  /** The worker threw outside its own error handling; the thread is already discarded. */
  onCrash(message: string): void;
}

export class CaptureThread {
  #worker: Worker | null = null;
  #listener: CaptureListener | null = null;
  #started = 0;

  /** Workers started so far (1 for a recorder whose thread was always reused). */
  get workersStarted(): number {
    return this.#started;
  }

  /** Attaches `listener` and posts `start` to the live worker, starting one if there is none. */
  start(message: CaptureStart, listener: CaptureListener): void {
    if (this.#listener !== null) throw new DeviceError(`Capture thread for "${message.device}" is already streaming`);
    const worker = this.#worker ?? this.#spawn();
    this.#listener = listener;
    worker.ref();
    worker.postMessage(message);
  }

  /** Detaches the stream after the worker replied `stopped`; the idle worker stays for the next one. */
  detach(): void {
    this.#listener = null;
    this.#worker?.unref();
  }

  /** Ends the worker (a stuck read, or the recorder closing); the next `start` makes a new one. */
  terminate(): void {
    this.#listener = null;
    const worker = this.#worker;
    this.#worker = null;
    worker?.terminate();
  }

  #spawn(): Worker {
    // smol: the worker only moves samples, so a small heap is enough (saves several MB of RSS).
    const worker = new WebWorker(captureWorkerUrl(), { smol: true });
    this.#started++;
    worker.onmessage = (event: MessageEvent<CaptureReply>) => {
      if (worker === this.#worker) this.#listener?.onReply(event.data);
    };
    worker.onerror = (event: ErrorEvent) => {
      if (worker !== this.#worker) return;
      const listener = this.#listener;
      this.terminate();
      listener?.onCrash(event.message);
    };
    this.#worker = worker;
    return worker;
  }
}
