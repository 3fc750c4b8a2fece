/**
 * @module Semaphore: the concurrency limit of one scheduler queue. Waiters are served first in,
 * first out. A waiter can be withdrawn with an AbortSignal, which is how a stopping scheduler
 * drops queued runs that have not started.
 */

interface Waiter {
  grant: (release: () => void) => void;
  detach: () => void;
}

export class Semaphore {
  readonly limit: number | null;
  #active = 0;
  #waiters: Waiter[] = [];

  /** `limit` is the number of holders at once; null is unbounded. */
  constructor(limit: number | null) {
    if (limit !== null && !(Number.isInteger(limit) && limit > 0)) {
      throw new RangeError(`A semaphore limit must be a positive integer or null, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Holders now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with a release function once a slot is free. Calling release more than once is
   * harmless. If `signal` aborts before a slot is granted, the promise rejects with its reason.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.limit === null || this.#active < this.limit) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: resolve,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) {
        next.detach();
        next.grant(this.#releaser());
      } else {
        this.#active--;
      }
    };
  }
}
