/**
 * @module ManualTimers: `Timers` driven by a ManualClock's monotonic time, for tests. `elapse(ms)`
 * lets time pass the way a live event loop sees it: each timer fires at its due instant, in
 * order, and the promise work it starts settles before the next one fires. Moving the clock
 * alone (`clock.advance`) is a suspended process: nothing fires until `flush()`.
 */
import type { ManualClock, TimerHandle, Timers } from "./clock.ts";

interface PendingTimer {
  id: number;
  due: number;
  callback: () => void;
}

/** Yields to the event loop so that chains of resolved promises run to their end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class ManualTimers implements Timers {
  #clock: ManualClock;
  #pending: PendingTimer[] = [];
  #nextId = 1;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#clock.monotonic() + Math.max(0, ms), callback };
    this.#pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((t) => t.id !== handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Fires every timer already due (after a `clock.advance`), then lets promise work settle. */
  async flush(): Promise<void> {
    await this.#fireUntil(this.#clock.monotonic());
  }

  /** Lets `ms` of time pass, firing each timer at its due instant. */
  async elapse(ms: number): Promise<void> {
    const end = this.#clock.monotonic() + ms;
    await this.#fireUntil(end);
    const rest = end - this.#clock.monotonic();
    if (rest > 0) this.#clock.advance(rest);
    await settle();
  }

  async #fireUntil(end: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.#earliest();
      if (!next || next.due > end) return;
      const wait = next.due - this.#clock.monotonic();
      if (wait > 0) this.#clock.advance(wait);
      this.#pending = this.#pending.filter((t) => t !== next);
      next.callback();
      await settle();
    }
  }

  #earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#pending) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}
