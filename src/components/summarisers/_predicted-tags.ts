/**
 * @module What the summarisers need from a store: the predicted tags whose model output was
 * created in a time range (both ends inclusive, as acoupi's `get_predicted_tags`). The type is
 * structural, so SqliteStore fits it without the summarisers importing it. Rows may be flat
 * (`{ key, value, confidence_score }`) or shaped like PredictedTag (`{ tag: { key, value },
 * confidence_score }`). Tags are grouped by value, as acoupi does (the key is ignored), except that
 * `common_name` tags (beside a species tag, from `Genus species_Common Name` labels) are skipped,
 * so each detection counts once, under its species.
 */
import { COMMON_NAME_KEY, formatUtc, type JsonTree } from "../../data/index.ts";

export type PredictedTagRow =
  | { key: string; value: string; confidence_score: number }
  | { tag: { key: string; value: string }; confidence_score: number };

export interface PredictedTagSource {
  getPredictedTags(query: { after: Date; before: Date }): readonly PredictedTagRow[];
}

export const DEFAULT_SUMMARY_INTERVAL = 3600;

/** Scores per tag value over `[now - interval, now]`, in first-seen order. */
export function scoresByLabel(store: PredictedTagSource, now: Date, intervalSeconds: number): Map<string, number[]> {
  const after = new Date(now.getTime() - intervalSeconds * 1000);
  const groups = new Map<string, number[]>();
  for (const row of store.getPredictedTags({ after, before: now })) {
    if (("tag" in row ? row.tag.key : row.key) === COMMON_NAME_KEY) continue;
    const value = "tag" in row ? row.tag.value : row.value;
    const scores = groups.get(value);
    if (scores === undefined) groups.set(value, [row.confidence_score]);
    else scores.push(row.confidence_score);
  }
  return groups;
}

export function timeInterval(now: Date, intervalSeconds: number): JsonTree {
  return { starttime: formatUtc(new Date(now.getTime() - intervalSeconds * 1000)), endtime: formatUtc(now) };
}

/** Python's round(x, 3) for the values we meet. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
