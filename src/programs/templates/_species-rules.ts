/**
 * @module Wiring the species rules into the detection template (internal to the templates): the
 * `range_filter`, `species` and `confirmation` sections become DetectionRules (in the order
 * per-species thresholds, include, exclude, range filter, time of day, so a drop is named by the
 * most specific rule), an optional RepeatConfirmation, and the threshold the model must emit at
 * (the lowest of `detections.threshold` and the per-species ones). List files are read at setup;
 * `check` matches every list line against the classifier's labels and names the line of a typo,
 * and loads the range model (its output count against its labels, and how many classifier labels
 * it does not know).
 */
import { z } from "zod";
import { noPrompt } from "../../config/markers.ts";
import { loadLabels } from "../../components/models/_labels.ts";
import { ConfirmationConfigSchema, RepeatConfirmation } from "../../components/species-rules/confirmation.ts";
import { excludeRule, includeRule } from "../../components/species-rules/list-rules.ts";
import { RangeFilterConfigSchema, rangeFilterRule } from "../../components/species-rules/range-filter.ts";
import { OnnxRangeModel } from "../../components/species-rules/range-model.ts";
import { SpeciesConfigSchema } from "../../components/species-rules/species-section.ts";
import { assertEntriesMatch, SpeciesList, type ListEntry } from "../../components/species-rules/species-list.ts";
import { lowestThreshold, readSpeciesThresholds, speciesThresholdRule } from "../../components/species-rules/species-thresholds.ts";
import { timeOfDayRule } from "../../components/species-rules/time-of-day-rule.ts";
import type { DetectionRule } from "../../components/species-rules/types.ts";
import { ConfigError } from "../../errors.ts";
import type { ProgramContext } from "../program-context.ts";

/** The rule sections every detection program has; setup does not ask for them (set them with `config set`). */
export const SpeciesRulesConfigSchema = z.object({
  range_filter: noPrompt(RangeFilterConfigSchema.prefault({})).describe("A location and season filter: a range model's species mask for the deployment's place and week"),
  species: noPrompt(SpeciesConfigSchema.prefault({})).describe("Species lists and per-species thresholds"),
  confirmation: noPrompt(ConfirmationConfigSchema.prefault({})).describe("Keep a species only when it is heard more than once"),
});
export type SpeciesRulesConfig = z.output<typeof SpeciesRulesConfigSchema>;

export interface SpeciesRules {
  rules: DetectionRule[];
  confirmation: RepeatConfirmation | null;
  /** The lowest score the model must emit, so every species can reach its own threshold. */
  floor: number;
  rangeModel: OnnxRangeModel | null;
}

export function speciesRules(
  ctx: ProgramContext,
  config: SpeciesRulesConfig & { detections: { threshold: number } },
  classifierLabels: string | readonly string[] | undefined,
): SpeciesRules {
  const { species, range_filter: range, confirmation } = config;
  const rules: DetectionRule[] = [];
  const checked: Array<{ entries: readonly ListEntry[]; path: string; key: string }> = [];
  const list = (path: string, key: string) => {
    const read = SpeciesList.read(path, key);
    checked.push({ entries: read.entries, path, key });
    return read;
  };
  let floor = config.detections.threshold;
  if (species.thresholds !== null) {
    const rows = readSpeciesThresholds(species.thresholds, "species.thresholds");
    checked.push({ entries: rows, path: species.thresholds, key: "species.thresholds" });
    floor = lowestThreshold(rows, floor);
    rules.push(speciesThresholdRule(rows, config.detections.threshold, species.thresholds));
  }
  if (species.include !== null) rules.push(includeRule(list(species.include, "species.include")));
  if (species.exclude !== null) rules.push(excludeRule(list(species.exclude, "species.exclude")));
  let rangeModel: OnnxRangeModel | null = null;
  if (range.enabled) {
    if (range.path === null) {
      throw new ConfigError("range_filter.enabled is true but range_filter.path is not set", {
        key: "range_filter.path",
        help: "Set range_filter.path to the range model (.onnx), or `acoupi config set range_filter.enabled false`",
      });
    }
    rangeModel = ctx.use("range_filter", new OnnxRangeModel({ path: range.path, labels: range.labels }, { classifierLabels }));
    rules.push(rangeFilterRule(rangeModel, range.threshold));
  }
  if (species.night_only !== null) rules.push(timeOfDayRule(list(species.night_only, "species.night_only"), "night"));
  if (species.day_only !== null) rules.push(timeOfDayRule(list(species.day_only, "species.day_only"), "day"));
  const exempt = confirmation.exempt === null ? null : list(confirmation.exempt, "confirmation.exempt");
  const confirm = confirmation.min_hits > 1 ? new RepeatConfirmation({ min_hits: confirmation.min_hits, within_s: confirmation.within_s, exempt }) : null;

  if (checked.length > 0 && classifierLabels !== undefined) {
    ctx.onCheck(async () => {
      const labels = await loadLabels(classifierLabels, "model.labels");
      for (const { entries, path, key } of checked) assertEntriesMatch(entries, labels, path, key);
      return { subject: "species", lines: checked.map(({ entries, key }) => `${key}: ${entries.length} species, each matching a label of model.labels`), warnings: [] };
    });
  }
  return { rules, confirmation: confirm, floor, rangeModel };
}
