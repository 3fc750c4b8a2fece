/**
 * @module LazyLoad: the load-once lifecycle both ONNX models share. The first caller starts the
 * load, later callers await the same promise, a failed load is retried on the next call, and
 * `release` frees whatever loaded (a load that never succeeded has nothing to free). A release
 * while the load is still running does not wait for it (a model can take tens of seconds to load
 * on a Pi, longer than a stop may take): the load is released whenever it completes.
 */
import { log } from "../../log.ts";

export class LazyLoad<T> {
  #pending: Promise<T> | undefined;
  #loaded = false;
  #load: () => Promise<T>;
  #release: (value: T) => Promise<void>;
  #label: () => string;

  constructor(label: () => string, load: () => Promise<T>, release: (value: T) => Promise<void>) {
    this.#label = label;
    this.#load = load;
    this.#release = release;
  }

  get(): Promise<T> {
    this.#pending ??= this.#load().then(
      (value) => {
        this.#loaded = true;
        return value;
      },
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending;
  }

  async release(): Promise<void> {
    const pending = this.#pending;
    const loaded = this.#loaded;
    this.#pending = undefined;
    this.#loaded = false;
    if (pending === undefined) return;
    if (!loaded) {
      log.info(`${this.#label()} was still loading; it is released once its load completes`);
      pending.then(
        (value) => this.#release(value),
        (error: unknown) => log.debug(`${this.#label()} never loaded, nothing to release: ${(error as Error).message}`),
      ).catch((error: unknown) => log.warn(`Releasing ${this.#label()} after its load failed:`, error));
      return;
    }
    await this.#release(await pending);
  }
}
