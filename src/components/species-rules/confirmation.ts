/**
 * @module RepeatConfirmation (`confirmation.min_hits`, `confirmation.within_s`,
 * `confirmation.exempt`): a species counts only when it is heard in at least `min_hits` windows
 * within `within_s` seconds, in overlapping windows of one recording or across consecutive ones.
 * Time is the recording's (its start plus the detection's start), so `acoupi analyze` judges a
 * file as the sensor judged it live. While a hit waits for company, its whole model output is
 * held: not stored, so no message is built and file management (which waits for the output) does
 * not decide the recording's saving. An output is released when none of its hits waits any
 * more: confirmed hits are kept, and hits whose `within_s` passed alone are dropped, recorded
 * with the rule. Species on the exempt list (rare one-call species) are never held.
 * Not safe to call concurrently; outputs must be admitted in recording order.
 */
import { z } from "zod";
import type { ModelOutput } from "../../data/index.ts";
import type { SpeciesList } from "./species-list.ts";
import { detectionLabel, speciesKey, type DroppedDetection, type RuleResult } from "./types.ts";

/** The `confirmation` section of the detection programs. */
export const ConfirmationConfigSchema = z.object({
  min_hits: z.number().int().min(1).max(100).default(1).describe("A species counts only when heard in at least this many windows within within_s (1: off)"),
  within_s: z.number().positive().max(3600).default(15).describe("Seconds in which the min_hits windows must fall; a first hit waits this long"),
  exempt: z.string().min(1).nullable().default(null).describe("A species list file (one a line) that needs no confirmation, e.g. rare one-call species"),
});
export type ConfirmationSectionConfig = z.output<typeof ConfirmationConfigSchema>;

export interface ConfirmationConfig {
  min_hits: number;
  within_s: number;
  exempt: SpeciesList | null;
}

interface Hit {
  at: number;
  detectionId: string;
}

interface Held {
  result: RuleResult;
  /** Detection id → when its wait ends (ms, recording time). */
  pending: Map<string, { deadline: number; species: string }>;
}

/** How long past a hit's deadline, by the wall clock, a hit waits when no later recording comes (the schedule ended). */
export const WALL_GRACE_MS = 60_000;

export class RepeatConfirmation {
  readonly rule = "confirmation.min_hits";
  #config: ConfirmationConfig;
  #hits = new Map<string, Hit[]>();
  #held: Held[] = [];
  #evidenceUntil = Number.NEGATIVE_INFINITY;

  constructor(config: ConfirmationConfig) {
    this.#config = config;
  }

  /** Outputs waiting for their hits to be confirmed or to time out. */
  get held(): number {
    return this.#held.length;
  }

  /** Takes the next output in recording order; returns the outputs decided now, oldest first. */
  admit(result: RuleResult): RuleResult[] {
    const { output } = result;
    const start = output.recording.created_on.getTime();
    const windowMs = this.#config.within_s * 1000;
    const entry: Held = { result, pending: new Map() };
    this.#held.push(entry);
    const detections = [...output.detections].sort((a, b) => (a.location?.coordinates[0] ?? 0) - (b.location?.coordinates[0] ?? 0));
    for (const detection of detections) {
      const label = detectionLabel(detection);
      if (label === null || this.#config.exempt?.has(label)) continue;
      const species = speciesKey(label);
      const at = start + (detection.location?.coordinates[0] ?? 0) * 1000;
      const hits = (this.#hits.get(species) ?? []).filter((h) => h.at >= at - windowMs);
      hits.push({ at, detectionId: detection.id });
      this.#hits.set(species, hits);
      if (hits.length >= this.#config.min_hits) {
        const confirmed = new Set(hits.map((h) => h.detectionId));
        for (const held of this.#held) for (const id of confirmed) held.pending.delete(id);
      } else {
        entry.pending.set(detection.id, { deadline: at + windowMs, species: label });
      }
    }
    this.#evidenceUntil = Math.max(this.#evidenceUntil, start + output.recording.duration * 1000);
    return this.#decide((deadline) => deadline <= this.#evidenceUntil);
  }

  /** Drops hits whose wait ended more than WALL_GRACE_MS before `now` (no later recording came). */
  expire(now: Date): RuleResult[] {
    return this.#decide((deadline) => deadline + WALL_GRACE_MS <= now.getTime());
  }

  /** Decides everything held (on stop, or at the end of an analysis): hits still waiting are dropped. */
  flush(): RuleResult[] {
    return this.#decide(() => true);
  }

  #decide(expired: (deadline: number) => boolean): RuleResult[] {
    const released: RuleResult[] = [];
    const still: Held[] = [];
    for (const held of this.#held) {
      const dropped: DroppedDetection[] = [];
      for (const [id, wait] of held.pending) {
        if (!expired(wait.deadline)) continue;
        const detection = held.result.output.detections.find((d) => d.id === id);
        held.pending.delete(id);
        if (detection === undefined) continue;
        dropped.push({
          detection,
          rule: this.rule,
          reason: `heard in fewer than ${this.#config.min_hits} windows within ${this.#config.within_s} s`,
        });
      }
      if (dropped.length > 0) {
        const gone = new Set(dropped.map((d) => d.detection.id));
        const output: ModelOutput = { ...held.result.output, detections: held.result.output.detections.filter((d) => !gone.has(d.id)) };
        held.result = { output, dropped: [...held.result.dropped, ...dropped] };
      }
      if (held.pending.size === 0) released.push(held.result);
      else still.push(held);
    }
    this.#held = still;
    return released;
  }
}
