/**
 * @module AnalysisBacklog: the recordings waiting for the model, bounded by `detections.backlog_max`
 * and run one at a time, oldest first, so capture never waits for analysis and analysis may fall
 * behind on a slow board. When a recording arrives to a full backlog, the policy
 * (`detections.backlog`) decides which recording is not analysed now:
 * - `defer`: the new one waits outside the backlog (only its row in memory, its file in temp) and
 *   joins the backlog, oldest first, as soon as there is room; nothing is skipped while its file is
 *   still in temp (file management files it per `file_management.on_timeout` after
 *   `file_management.max_wait`, as any recording whose model never ran).
 * - `skip_oldest`: the oldest waiting recording is skipped, so analysis stays close to live.
 * - `thin`: the waiting recording whose neighbours are closest in time is skipped (never the oldest
 *   or the newest), so the analysed recordings stay evenly spread over the period.
 * A skipped recording keeps its file: it is handed to `onSkip` (the template tells file management
 * to file it at once, per `file_management.on_timeout`: saved, unanalysed, by default), counted and
 * logged. No recording is dropped silently.
 */
import { existsSync } from "node:fs";
import type { ConsolaInstance } from "consola";
import { z } from "zod";
import type { ComponentStatus } from "../data/component-status.ts";
import type { ModelOutput, Recording } from "../data/index.ts";
import type { Clock } from "../scheduler/clock.ts";

export const BacklogSchema = z
  .enum(["defer", "skip_oldest", "thin"])
  .default("defer")
  .describe(
    "What to do when detections.backlog_max recordings already wait for the model: defer = the new recording waits on disk and is analysed when there is room (until file_management.max_wait files it per file_management.on_timeout); skip_oldest = the oldest waiting recording is not analysed (analysis stays close to live); thin = the waiting recording closest in time to its neighbours is not analysed (analysed recordings stay evenly spread). A recording not analysed is filed per file_management.on_timeout (saved by default), never lost silently",
  );
export const BacklogMaxSchema = z
  .number()
  .int()
  .min(1)
  .max(10_000)
  .default(20)
  .describe("Most recordings queued for the model; when one more arrives, detections.backlog decides which is not analysed now (capture never waits for analysis)");
export type BacklogPolicy = z.output<typeof BacklogSchema>;

export interface AnalysisBacklogDeps {
  policy: BacklogPolicy;
  max: number;
  /** Analyses one recording (the detection task). */
  analyse: (recording: Recording) => Promise<ModelOutput | undefined>;
  /** A recording the policy will not analyse; its file stays for file management. */
  onSkip: (recording: Recording) => void;
  clock: Clock;
  logger: ConsolaInstance;
}

interface Waiting {
  recording: Recording;
  /** Settles the caller's `submit`; null for a deferred recording taken back in (no caller waits). */
  settle: ((result: { output?: ModelOutput; error?: unknown }) => void) | null;
}

/** The index of the waiting recording `thin` skips: the one whose neighbours are closest in time. */
export function thinIndex(starts: readonly number[]): number {
  let best = -1;
  let bestGap = Infinity;
  for (let i = 1; i < starts.length - 1; i++) {
    const gap = (starts[i + 1] as number) - (starts[i - 1] as number);
    if (gap < bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return best;
}

export class AnalysisBacklog {
  #deps: AnalysisBacklogDeps;
  #queue: Waiting[] = [];
  /** `defer`: recordings that arrived to a full backlog, oldest first. */
  #deferred: Recording[] = [];
  #running: Recording | null = null;
  /** Settles when the running analysis ends. */
  #current: Promise<void> = Promise.resolve();
  #closed = false;
  #skipped = 0;
  #deferredTotal = 0;
  #analysed = 0;
  #maxSeen = 0;

  constructor(deps: AnalysisBacklogDeps) {
    this.#deps = deps;
  }

  /**
   * Queues the recording and resolves with its model output once analysed, or undefined when the
   * policy skips or defers it, or the backlog closes first. Rejects with the analysis's error.
   */
  submit(recording: Recording): Promise<ModelOutput | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    const { promise, resolve, reject } = Promise.withResolvers<ModelOutput | undefined>();
    const settle = (result: { output?: ModelOutput; error?: unknown }) => ("error" in result ? reject(result.error) : resolve(result.output));
    this.#admit({ recording, settle });
    this.#pump();
    return promise;
  }

  #admit(entry: Waiting): void {
    const { policy, max } = this.#deps;
    // Deferred recordings are older than this one: they take the room first.
    this.#refill();
    if (this.#queue.length >= max) {
      if (policy === "defer") {
        this.#deferred.push(entry.recording);
        this.#deferredTotal++;
        this.#deps.logger.info(`Analysis is behind (${this.#queue.length} recordings waiting): recording ${entry.recording.id} is deferred until there is room`);
        entry.settle?.({});
        return;
      }
      this.#queue.push(entry);
      const index = policy === "skip_oldest" ? 0 : Math.max(thinIndex(this.#queue.map((w) => w.recording.created_on.getTime())), 0);
      const [dropped] = this.#queue.splice(index, 1);
      if (dropped !== undefined) this.#skip(dropped);
    } else this.#queue.push(entry);
    this.#maxSeen = Math.max(this.#maxSeen, this.#queue.length + this.#deferred.length);
  }

  #skip(entry: Waiting): void {
    this.#skipped++;
    this.#deps.logger.warn(`Analysis is behind: recording ${entry.recording.id} is not analysed (detections.backlog ${this.#deps.policy}); it is filed per file_management.on_timeout`);
    try {
      this.#deps.onSkip(entry.recording);
    } finally {
      entry.settle?.({});
    }
  }

  /** Takes deferred recordings back while there is room; drops those file management already filed. */
  #refill(): void {
    while (this.#deferred.length > 0 && this.#queue.length < this.#deps.max) {
      const recording = this.#deferred.shift() as Recording;
      if (recording.path !== null && existsSync(recording.path)) this.#queue.push({ recording, settle: null });
    }
  }

  #pump(): void {
    if (this.#running !== null || this.#closed) return;
    this.#refill();
    const next = this.#queue.shift();
    if (next === undefined) return;
    this.#running = next.recording;
    this.#current = this.#deps.analyse(next.recording).then(
      (output) => {
        this.#analysed++;
        next.settle?.({ output });
      },
      (error: unknown) => {
        if (next.settle === null) this.#deps.logger.error(`Analysis of deferred recording ${next.recording.id} failed:`, error);
        next.settle?.({ error });
      },
    ).finally(() => {
      this.#running = null;
      this.#pump();
    });
  }

  /** The ids of the recordings waiting (queued or deferred), oldest first. */
  waitingIds(): string[] {
    return [...this.#queue.map((w) => w.recording.id), ...this.#deferred.map((r) => r.id)];
  }

  /** Recordings waiting for the model (not counting the one it is analysing). */
  get size(): number {
    return this.#queue.length + this.#deferred.length;
  }

  /** Seconds since the start of the oldest recording waiting (or being analysed); 0 when none. */
  ageSeconds(): number {
    const starts = [this.#running, ...this.#queue.map((w) => w.recording), ...this.#deferred].filter((r) => r !== null).map((r) => r.created_on.getTime());
    if (starts.length === 0) return 0;
    return Math.max(0, (this.#deps.clock.now().getTime() - Math.min(...starts)) / 1000);
  }

  /** Stops taking recordings in; the waiting ones resolve undefined and stay in temp. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#queue.splice(0)) entry.settle?.({});
    this.#deferred = [];
  }

  /** Closes, then waits for the analysis already running (the deployment's end analyses the rest). */
  async drain(): Promise<void> {
    this.close();
    await this.#current;
  }

  status(): ComponentStatus {
    return {
      figures: {
        backlog: this.size,
        backlog_age_s: Math.round(this.ageSeconds() * 10) / 10,
        backlog_policy: this.#deps.policy,
        backlog_max: this.#deps.max,
        backlog_peak: this.#maxSeen,
        backlog_skipped: this.#skipped,
        backlog_deferred: this.#deferredTotal,
        analysed: this.#analysed,
      },
    };
  }
}
