/**
 * @module The progress watch: whether the runner is doing its job, not merely alive. A scheduler
 * whose event loop turns while every capture hangs, or while every recording fails to be filed,
 * is healthy by the loop's measure and useless in the field. On each status write the runner shows
 * the watch the components' figures; the watch notes, on the monotonic clock (so an NTP step
 * neither fakes nor hides a stall), when a recording last succeeded and since when filing fails.
 * Recording is stalled when it is due (no condition pauses it) and none has succeeded for
 * `stallIntervals` of its interval; filing is stalled when it has failed for that many of its
 * intervals. A stall is a degraded reason (status, heartbeat) and stops the systemd watchdog pings,
 * so systemd restarts the runner.
 */
import type { ComponentStatus } from "../data/component-status.ts";

/** Stalls are judged over this many intervals unless ACOUPI_STALL_INTERVALS says otherwise. */
export const DEFAULT_STALL_INTERVALS = 3;

export type Figures = Record<string, Record<string, number | string | null>>;

export interface ProgressWatchOptions {
  /** Seconds between recordings (the recording task's interval); null when not on an interval. */
  recordingEvery: number | null;
  /** Seconds between file management runs; null when not on an interval. */
  filingEvery: number | null;
  stallIntervals?: number;
  /** A stall is never judged over less than this (the figures are sampled once per status period). */
  minStallMs?: number;
  /** Monotonic milliseconds; `performance.now` by default. */
  monotonic?: () => number;
}

/** ACOUPI_STALL_INTERVALS: how many intervals without progress make a stall (at least 1). */
export function stallIntervalsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.ACOUPI_STALL_INTERVALS ?? "");
  return Number.isFinite(value) && value >= 1 ? value : DEFAULT_STALL_INTERVALS;
}

export class ProgressWatch {
  #options: ProgressWatchOptions;
  #stallIntervals: number;
  #monotonic: () => number;
  #lastFiles: number | string | null | undefined = undefined;
  #recordingSince: number;
  #filingFailingSince: number | null = null;
  #reasons: string[] = [];

  constructor(options: ProgressWatchOptions) {
    this.#options = options;
    this.#stallIntervals = options.stallIntervals ?? DEFAULT_STALL_INTERVALS;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#recordingSince = this.#monotonic();
  }

  #limitMs(everySeconds: number): number {
    return Math.max(this.#stallIntervals * everySeconds * 1000, this.#options.minStallMs ?? 0);
  }

  /** Reads the components' figures and returns the stall reasons (empty while progressing). */
  observe(components: Figures): string[] {
    const now = this.#monotonic();
    const reasons: string[] = [];
    const recording = components.recording;
    const every = this.#options.recordingEvery;
    if (recording !== undefined && every !== null) {
      // A new file, or recording paused on purpose (schedule, disk space): the clock starts again.
      if (recording.files !== this.#lastFiles || (recording.paused_by ?? null) !== null) this.#recordingSince = now;
      this.#lastFiles = recording.files;
      const silentMs = now - this.#recordingSince;
      if (silentMs > this.#limitMs(every)) {
        reasons.push(`recording: no recording has succeeded for ${Math.round(silentMs / 1000)} s (one is due every ${every} s)`);
      }
    }
    const filing = components.file_management;
    const filingEvery = this.#options.filingEvery;
    if (filing !== undefined && filingEvery !== null) {
      const failing = typeof filing.failing_runs === "number" && filing.failing_runs > 0;
      if (!failing) this.#filingFailingSince = null;
      else this.#filingFailingSince ??= now;
      const failingMs = this.#filingFailingSince === null ? 0 : now - this.#filingFailingSince;
      if (failingMs > this.#limitMs(filingEvery)) {
        reasons.push(`filing: recordings have failed to be filed for ${Math.round(failingMs / 1000)} s (${filing.last_error ?? "unknown error"})`);
      }
    }
    this.#reasons = reasons;
    return reasons;
  }

  /** True unless the last observation found a stall. */
  get progressing(): boolean {
    return this.#reasons.length === 0;
  }

  /** The verdict of the last observation, as a component status ("progress" in the status file). */
  status(): ComponentStatus {
    return { degraded: this.#reasons.length > 0 ? this.#reasons.join("; ") : null, figures: { stall_intervals: this.#stallIntervals } };
  }
}
