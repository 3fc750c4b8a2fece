/**
 * @module DetectionRule: a named judgement over a model output that keeps some detections and
 * drops others, saying why for each one it drops (the range filter, the species lists, the
 * per-species thresholds, the time-of-day rules). The detection task records every drop with the
 * rule's name, so `acoupi detections --why` can answer "why didn't it report the nightingale?".
 * `ruleAsCleaner` turns a rule into a plain OutputCleaner for programs that do not record drops.
 */
import type { Detection, ModelOutput } from "../../data/index.ts";
import { parseSpeciesLabel } from "../../data/species-label.ts";
import type { OutputCleaner } from "../output-cleaners/types.ts";

/** One detection a rule dropped, and the reason in words (`score 0.41 < 0.6 (thresholds.csv line 3)`). */
export interface DroppedDetection {
  detection: Detection;
  /** The rule's name, its config key: `range_filter`, `species.exclude`, `confirmation.min_hits` … */
  rule: string;
  reason: string;
}

export interface RuleResult {
  output: ModelOutput;
  dropped: DroppedDetection[];
}

/**
 * Contract: `apply` returns a new ModelOutput with the same id and created_on, holding the kept
 * detections unchanged, and one DroppedDetection for each detection it removed. It may throw an
 * AcoupiError when it cannot judge at all (a range filter with no coordinates); it never drops a
 * detection it cannot judge (no label, or a species its data does not know).
 */
export interface DetectionRule {
  /** The config key that switches it on; recorded with each drop. */
  readonly rule: string;
  apply(output: ModelOutput): RuleResult | Promise<RuleResult>;
}

/** The label a detection is judged by: its most confident tag's value, or null when it has none. */
export function detectionLabel(detection: Detection): string | null {
  let best: Detection["tags"][number] | undefined;
  for (const tag of detection.tags) if (best === undefined || tag.confidence_score > best.confidence_score) best = tag;
  return best?.tag.value ?? null;
}

/** The key species are matched by: the scientific name (`Genus species` of `Genus species_Common Name`), lower case. */
export function speciesKey(label: string): string {
  return parseSpeciesLabel(label).scientific.toLowerCase();
}

/** Splits an output's detections by `drop` (a reason, or null to keep). */
export function partition(output: ModelOutput, rule: string, drop: (d: Detection, label: string | null) => string | null): RuleResult {
  const kept: Detection[] = [];
  const dropped: DroppedDetection[] = [];
  for (const detection of output.detections) {
    const reason = drop(detection, detectionLabel(detection));
    if (reason === null) kept.push(detection);
    else dropped.push({ detection, rule, reason });
  }
  return { output: { ...output, detections: kept }, dropped };
}

/** A rule as an OutputCleaner that forgets why it dropped (for synchronous rules only). */
export function ruleAsCleaner(rule: DetectionRule): OutputCleaner {
  return (output) => {
    const result = rule.apply(output);
    if (result instanceof Promise) throw new TypeError(`Rule ${rule.rule} is asynchronous: run it in the detection task's rules, not as a cleaner`);
    return result.output;
  };
}
