/**
 * @module LazyLoad: the load-once lifecycle both ONNX models share. The first caller starts the
 * load, later callers await the same promise, a failed load is retried on the next call, and
 * `release` frees whatever loaded (a load that never succeeded has nothing to free).
 */
import { log } from "../../log.ts";

export class LazyLoad<T> {
  #pending: Promise<T> | undefined;
  #load: () => Promise<T>;
  #release: (value: T) => Promise<void>;
  #label: () => string;

  constructor(label: () => string, load: () => Promise<T>, release: (value: T) => Promise<void>) {
    this.#label = label;
    this.#load = load;
    this.#release = release;
  }

  get(): Promise<T> {
    this.#pending ??= this.#load().catch((error: unknown) => {
      this.#pending = undefined;
      throw error;
    });
    return this.#pending;
  }

  async release(): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return;
    let value: T;
    try {
      value = await pending;
    } catch (error) {
      log.debug(`${this.#label()} never loaded, nothing to release: ${(error as Error).message}`);
      return;
    }
    await this.#release(value);
  }
}
