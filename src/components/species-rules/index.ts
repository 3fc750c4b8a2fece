/**
 * @module Species rules, the program API's `rules`: each keeps or drops a detection and says why
 * (range filter, include and exclude lists, per-species thresholds, time of day, confirmation by
 * repeats), `ruleAsCleaner` to use one as an output cleaner, and the schemas of their sections.
 */
export { birdnetWeek } from "./birdnet-week.ts";
export { ConfirmationConfigSchema, RepeatConfirmation } from "./confirmation.ts";
export { excludeRule, includeRule } from "./list-rules.ts";
export { RangeFilterConfigSchema, rangeFilterRule } from "./range-filter.ts";
export { OnnxRangeModel } from "./range-model.ts";
export { SpeciesConfigSchema } from "./species-section.ts";
export { SpeciesList } from "./species-list.ts";
export { readSpeciesThresholds, speciesThresholdRule } from "./species-thresholds.ts";
export { timeOfDayRule } from "./time-of-day-rule.ts";
export { ruleAsCleaner, type DetectionRule, type DroppedDetection, type RuleResult } from "./types.ts";
