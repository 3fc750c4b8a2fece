/**
 * @module labelFilterCleaner: keeps only the tags whose value is allowed and not denied (for
 * example the species expected at a site), and drops a detection once it has lost all its tags.
 * Detections that carried no tags at all are kept: there is nothing to judge them by.
 */
import type { ModelOutput } from "../../data/index.ts";
import type { OutputCleaner } from "./types.ts";

export interface LabelFilterConfig {
  /** Labels to keep; all labels when null or absent. */
  allow?: readonly string[] | null;
  /** Labels to drop, even when allowed. */
  deny?: readonly string[];
}

export function labelFilterCleaner(config: LabelFilterConfig): OutputCleaner {
  const allow = config.allow == null ? null : new Set(config.allow);
  const deny = new Set(config.deny ?? []);
  const keep = (value: string) => (allow === null || allow.has(value)) && !deny.has(value);
  return (output: ModelOutput): ModelOutput => ({
    ...output,
    detections: output.detections.flatMap((d) => {
      if (d.tags.length === 0) return [d];
      const tags = d.tags.filter((t) => keep(t.tag.value));
      return tags.length === 0 ? [] : [{ ...d, tags }];
    }),
  });
}
