/**
 * @module Detections per label per UTC hour of their recording, for the page's charts, kept in
 * the page Worker's memory and brought up to date incrementally: the first use counts the last
 * WINDOW_DAYS days once, and every later use counts only the model outputs written since (by
 * rowid, which only grows as outputs are added), so a chart over a million detections costs a
 * look-up, not a scan. A detection counts under its most confident tag (or its model's name when
 * it has none), as everywhere else. Memory: one small map per hour of the window. A call counts at
 * most OUTPUTS_PER_STEP model outputs, so no call holds the page's thread for long: the server
 * catches up in steps in the background (`catchUp`), and a chart drawn before it is done says so
 * (`complete`).
 */
import type { Database } from "bun:sqlite";
import { detectionsPerHour, firstOutputRowidSince, newestOutputRowid } from "../components/stores/queries/hourly-detections.ts";

export const WINDOW_DAYS = 31;
/** Model outputs counted per step (about 5,000 detections at ten per output: some 100 ms on a desktop core). */
export const OUTPUTS_PER_STEP = 500;
/** Model outputs are created after their recording; this margin allows for a clock set back since. */
const OUTPUT_MARGIN_MS = 86_400_000;

export class HourlyCounts {
  /** `YYYY-MM-DDTHH` (UTC) → label → count. */
  readonly #cells = new Map<string, Map<string, number>>();
  #lastRowid = 0;
  #since: string | null = null;
  #complete = false;

  /** Whether every model output written so far is counted. */
  get complete(): boolean {
    return this.#complete;
  }

  /** Counts up to `maxOutputs` model outputs added since the last call; true when it has caught up. */
  update(db: Database, now = new Date(), maxOutputs = OUTPUTS_PER_STEP): boolean {
    const newest = newestOutputRowid(db);
    if (newest <= this.#lastRowid) return (this.#complete = true);
    if (this.#lastRowid === 0) {
      // Start at the window: the first output written in it (by the created_on index).
      const since = new Date(now.getTime() - WINDOW_DAYS * 86_400_000 - OUTPUT_MARGIN_MS).toISOString();
      const first = firstOutputRowidSince(db, since) ?? newest + 1;
      this.#lastRowid = first - 1;
      if (newest <= this.#lastRowid) return (this.#complete = true);
    }
    const top = Math.min(newest, this.#lastRowid + maxOutputs);
    if (this.#since === null) this.#since = new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString();
    const rows = detectionsPerHour(db, {
      last: this.#lastRowid,
      top,
      since: this.#since,
      outputsSince: new Date(Date.parse(this.#since) - OUTPUT_MARGIN_MS).toISOString(),
    });
    for (const { bucket, label, count } of rows) {
      let labels = this.#cells.get(bucket);
      if (labels === undefined) this.#cells.set(bucket, (labels = new Map()));
      labels.set(label, (labels.get(label) ?? 0) + count);
    }
    this.#lastRowid = top;
    this.#prune(now);
    this.#complete = top >= newest;
    return this.#complete;
  }

  /** Counts step by step, yielding the thread between steps, until caught up (or `stopped()`). */
  async catchUp(db: () => Database | null, stopped: () => boolean): Promise<void> {
    for (;;) {
      const conn = db();
      if (conn === null || stopped() || this.update(conn)) return;
      await Bun.sleep(20);
    }
  }

  /** Counts per UTC hour bucket and label from `since` on (the window at most), for one label or all. */
  *rows(since: Date, label: string | null): Generator<{ bucket: string; label: string; count: number }> {
    const from = since.toISOString().slice(0, 13);
    for (const [bucket, labels] of this.#cells) {
      if (bucket < from) continue;
      for (const [l, count] of labels) if (label === null || l === label) yield { bucket, label: l, count };
    }
  }

  /** The labels counted since `since`, most detected first. */
  labels(since: Date): string[] {
    const totals = new Map<string, number>();
    for (const { label, count } of this.rows(since, null)) totals.set(label, (totals.get(label) ?? 0) + count);
    return [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([l]) => l);
  }

  #prune(now: Date): void {
    const oldest = new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString().slice(0, 13);
    for (const bucket of this.#cells.keys()) if (bucket < oldest) this.#cells.delete(bucket);
  }
}
