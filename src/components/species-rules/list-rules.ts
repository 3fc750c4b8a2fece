/**
 * @module The include and exclude rules (`species.include`, `species.exclude`): an include list
 * keeps only the detections of its species, an exclude list drops its species. A detection with
 * no label is kept by both: there is nothing to judge it by.
 */
import type { SpeciesList } from "./species-list.ts";
import { partition, type DetectionRule } from "./types.ts";

/** Keeps only detections whose species is on `list`. */
export function includeRule(list: SpeciesList): DetectionRule {
  const rule = "species.include";
  return {
    rule,
    apply: (output) => partition(output, rule, (_d, label) => (label === null || list.has(label) ? null : `not in the include list ${list.path}`)),
  };
}

/** Drops detections whose species is on `list`. */
export function excludeRule(list: SpeciesList): DetectionRule {
  const rule = "species.exclude";
  return {
    rule,
    apply: (output) =>
      partition(output, rule, (_d, label) => (label !== null && list.has(label) ? `in the exclude list ${list.path} line ${list.lineOf(label)}` : null)),
  };
}
