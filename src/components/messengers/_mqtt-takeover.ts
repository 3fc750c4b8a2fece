/**
 * @module Telling a duplicate device id from an unstable network. Two sensors made from one SD
 * card image can share a device id, hence an MQTT client id; the broker then closes the older
 * session each time the other connects (a "session takeover"), and the two fight all day. Over
 * MQTT 3.1.1 the broker says nothing, so the sign is the pattern: sessions that the broker ends
 * cleanly (no socket error) within seconds of a successful CONNACK, again and again. After
 * TAKEOVERS_FOR_VERDICT of them within WINDOW_MS, the detector names the duplicate and the
 * messenger backs its reconnects off (from at least SUSPECTED_RECONNECT_MS, doubling up to
 * MAX_BACKOFF_MS) instead of fighting for the session; otherwise it reconnects at its base period
 * (1 s on a sensor, shorter in tests). A session that lasts STABLE_MS clears it. The limit of MQTT 3.1.1: a broker that
 * restarts three times within two minutes, each within seconds of our connecting, looks the same,
 * so the verdict is worded as a suspicion; the cost of a wrong one is slower reconnects.
 */

export const TAKEOVERS_FOR_VERDICT = 3;
const SHORT_SESSION_MS = 10_000;
const WINDOW_MS = 120_000;
const STABLE_MS = 60_000;
/** The reconnect period of a sensor's messenger, before any backoff. */
export const BASE_RECONNECT_MS = 1000;
const SUSPECTED_RECONNECT_MS = 5000;
const MAX_BACKOFF_MS = 300_000;

export interface TakeoverVerdict {
  /** How many short, cleanly ended sessions were seen in the window. */
  takeovers: number;
  /** The reconnect period to use now. */
  reconnectMs: number;
}

export class TakeoverDetector {
  readonly #now: () => number;
  #connectedAt: number | null = null;
  #errored = false;
  #takeovers: number[] = [];
  readonly #baseMs: number;
  #reconnectMs: number;

  constructor(now: () => number = () => performance.now(), baseReconnectMs = BASE_RECONNECT_MS) {
    this.#now = now;
    this.#baseMs = baseReconnectMs;
    this.#reconnectMs = baseReconnectMs;
  }

  /** True once the pattern says another client uses the same client id. */
  get suspected(): boolean {
    if (this.#connectedAt !== null && this.#now() - this.#connectedAt >= STABLE_MS) this.#reset();
    return this.#takeovers.length >= TAKEOVERS_FOR_VERDICT;
  }

  get reconnectMs(): number {
    return this.#reconnectMs;
  }

  get takeovers(): number {
    return this.#takeovers.length;
  }

  connected(): void {
    this.#connectedAt = this.#now();
    this.#errored = false;
  }

  /** A socket or protocol error: the close that follows is the network's doing, not a takeover. */
  errored(): void {
    this.#errored = true;
  }

  /** Call on every close; returns the reconnect period to use from now on. */
  closed(): TakeoverVerdict {
    const now = this.#now();
    const began = this.#connectedAt;
    this.#connectedAt = null;
    if (began !== null) {
      const lasted = now - began;
      if (lasted >= STABLE_MS) this.#reset();
      else if (!this.#errored && lasted < SHORT_SESSION_MS) this.#takeovers.push(now);
    }
    this.#takeovers = this.#takeovers.filter((t) => now - t <= WINDOW_MS);
    if (this.suspected) this.#reconnectMs = Math.min(MAX_BACKOFF_MS, Math.max(this.#reconnectMs * 2, SUSPECTED_RECONNECT_MS));
    else if (this.#takeovers.length === 0) this.#reconnectMs = this.#baseMs;
    return { takeovers: this.#takeovers.length, reconnectMs: this.#reconnectMs };
  }

  #reset(): void {
    this.#takeovers = [];
    this.#reconnectMs = this.#baseMs;
  }
}
