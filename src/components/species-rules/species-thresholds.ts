/**
 * @module Per-species thresholds: a CSV of `species,threshold` lines (a `species,threshold` header
 * is allowed; `#` lines and blanks are skipped), where the species is a scientific name or the
 * full label. A listed species is judged by its own threshold instead of `detections.threshold`,
 * higher or lower (the model then emits down to the lowest threshold listed). A threshold that is
 * not a number in [0, 1] is refused with its line.
 */
import { ConfigError } from "../../errors.ts";
import { readListLines, type ListEntry } from "./species-list.ts";
import { detectionLabel, partition, speciesKey, type DetectionRule } from "./types.ts";

export interface SpeciesThreshold extends ListEntry {
  threshold: number;
}

/** Reads and checks the thresholds CSV at `path` (config key `key`). */
export function readSpeciesThresholds(path: string, key: string): SpeciesThreshold[] {
  const rows: SpeciesThreshold[] = [];
  for (const entry of readListLines(path, key)) {
    const cut = entry.text.lastIndexOf(",");
    const species = cut < 0 ? "" : entry.text.slice(0, cut).trim().replace(/^"(.*)"$/, "$1");
    const raw = cut < 0 ? "" : entry.text.slice(cut + 1).trim();
    if (rows.length === 0 && species.toLowerCase() === "species" && raw.toLowerCase() === "threshold") continue;
    const threshold = Number(raw);
    if (species === "" || raw === "" || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
      throw new ConfigError(`Line ${entry.line} of "${path}" (${key}) is "${entry.text}": expected species,threshold with a threshold from 0 to 1`, {
        key,
        help: "Write one `species,threshold` a line, e.g. `Turdus merula,0.7`",
      });
    }
    rows.push({ text: species, line: entry.line, threshold });
  }
  return rows;
}

/**
 * The `species.thresholds` rule: drops a detection of a listed species scoring below its own
 * threshold, and one of any other species below `fallback` (the global threshold) without
 * recording it, as the global threshold always did.
 */
export function speciesThresholdRule(rows: readonly SpeciesThreshold[], fallback: number, source = "species.thresholds"): DetectionRule {
  const byLabel = new Map<string, SpeciesThreshold>();
  const bySpecies = new Map<string, SpeciesThreshold>();
  for (const row of rows) {
    byLabel.set(row.text.toLowerCase(), row);
    bySpecies.set(speciesKey(row.text), row);
  }
  const rule = "species.thresholds";
  return {
    rule,
    apply(output) {
      const result = partition(output, rule, (d, label) => {
        const own = label === null ? undefined : (byLabel.get(label.toLowerCase()) ?? bySpecies.get(speciesKey(label)));
        if (own === undefined) return null;
        return d.detection_score >= own.threshold ? null : `score ${d.detection_score.toFixed(3)} < ${own.threshold} (${source} line ${own.line})`;
      });
      // Others scoring under the global threshold were emitted only because a listed species has a lower one.
      const kept = result.output.detections.filter((d) => {
        const label = detectionLabel(d);
        const own = label === null ? undefined : (byLabel.get(label.toLowerCase()) ?? bySpecies.get(speciesKey(label)));
        return own !== undefined || d.detection_score >= fallback;
      });
      return { output: { ...result.output, detections: kept }, dropped: result.dropped };
    },
  };
}

/** The lowest threshold a model must emit at so that every listed species can reach its own. */
export function lowestThreshold(rows: readonly SpeciesThreshold[], global: number): number {
  return rows.reduce((low, row) => Math.min(low, row.threshold), global);
}
