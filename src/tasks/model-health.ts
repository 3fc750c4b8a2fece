/**
 * @module How each required model fares: its failed runs, the recordings filed without its output
 * (timed out), the failures in a row and the last error, per model name. The detection task
 * reports each run; file management asks which models failed on a recording, so a recording whose
 * model failed follows `file_management.on_timeout` at once instead of waiting for `max_wait`, and
 * reports each recording it handled without a model's output. Status and the heartbeat read it:
 * three failures in a row make the program degraded. The failed recordings are remembered in
 * memory only (a bounded set): after a restart such a recording waits for `max_wait` again.
 */
import type { ComponentStatus } from "../data/component-status.ts";
import type { Metric } from "../data/index.ts";

/** Failures in a row after which a model makes the program degraded. */
export const FAILURES_DEGRADED = 3;
/** Failed recordings remembered per model (the oldest are forgotten first). */
const REMEMBERED = 1000;
/** The last error is kept to this many characters. */
const ERROR_CHARS = 300;

interface ModelFigures {
  runs: number;
  failed: number;
  timedOut: number;
  inRow: number;
  lastError: string | null;
  failedOn: Set<string>;
}

export class ModelHealth {
  readonly #models = new Map<string, ModelFigures>();

  #of(model: string): ModelFigures {
    let figures = this.#models.get(model);
    if (figures === undefined) {
      figures = { runs: 0, failed: 0, timedOut: 0, inRow: 0, lastError: null, failedOn: new Set() };
      this.#models.set(model, figures);
    }
    return figures;
  }

  /** A model ran on a recording and its output was stored. */
  succeeded(model: string): void {
    const f = this.#of(model);
    f.runs++;
    f.inRow = 0;
  }

  /** A model threw on a recording: the recording follows `on_timeout` at the next filing. */
  failed(model: string, recordingId: string, error: unknown): void {
    const f = this.#of(model);
    f.runs++;
    f.failed++;
    f.inRow++;
    const text = (error instanceof Error ? error.message : String(error)).split("\n", 1)[0] ?? "";
    f.lastError = text.length > ERROR_CHARS ? `${text.slice(0, ERROR_CHARS - 1)}…` : text;
    f.failedOn.add(recordingId);
    if (f.failedOn.size > REMEMBERED) f.failedOn.delete(f.failedOn.values().next().value as string);
  }

  /** A recording was filed (or deleted) without this model's output. */
  timedOut(model: string, recordingId: string): void {
    const f = this.#of(model);
    f.timedOut++;
    f.failedOn.delete(recordingId);
  }

  /** The models that failed on this recording (since this process started). */
  failedOn(recordingId: string): string[] {
    return [...this.#models].filter(([, f]) => f.failedOn.has(recordingId)).map(([name]) => name);
  }

  status(): ComponentStatus {
    const figures: Record<string, number | string | null> = {};
    const degraded: string[] = [];
    for (const [name, f] of this.#models) {
      figures[`${name}.runs`] = f.runs;
      figures[`${name}.failed`] = f.failed;
      figures[`${name}.timed_out`] = f.timedOut;
      figures[`${name}.failures_in_row`] = f.inRow;
      figures[`${name}.last_error`] = f.lastError;
      if (f.inRow >= FAILURES_DEGRADED) degraded.push(`model ${name} failed ${f.inRow} times in a row: ${f.lastError ?? "unknown error"}`);
    }
    return { degraded: degraded.length > 0 ? degraded.join("; ") : null, figures };
  }

  /** Per model: `model_failed`, `model_timed_out` and `model_failures_in_row`, named `<metric>.<model>`. */
  metrics(now: Date): Metric[] {
    const out: Metric[] = [];
    for (const [name, f] of this.#models) {
      out.push(
        { name: `model_failed.${name}`, value: f.failed, unit: "count", captured_on: now },
        { name: `model_timed_out.${name}`, value: f.timedOut, unit: "count", captured_on: now },
        { name: `model_failures_in_row.${name}`, value: f.inRow, unit: "count", captured_on: now },
      );
    }
    return out;
  }
}
