/**
 * @module statisticsSummariser: acoupi's StatisticsDetectionsSummariser. Every interval it sends
 * per-label statistics of the predicted tags stored in the last interval:
 * `{"<label>": {"mean": …, "min": …, "max": …, "count": …}, …, "timeinterval": {"starttime": …,
 * "endtime": …}}` (mean rounded to 3 places, times in UTC). Unlike acoupi it returns null when
 * there were no detections, so an idle sensor sends no empty summaries.
 */
import { createMessage, pyFloat, stringifyAcoupi, type JsonTree, type Message } from "../../data/index.ts";
import type { Summariser } from "./types.ts";
import { DEFAULT_SUMMARY_INTERVAL, mean, round3, scoresByLabel, timeInterval, type PredictedTagSource } from "./_predicted-tags.ts";

export type { PredictedTagRow, PredictedTagSource } from "./_predicted-tags.ts";

export function statisticsSummariser(options: { store: PredictedTagSource; interval?: number }): Summariser {
  const interval = options.interval ?? DEFAULT_SUMMARY_INTERVAL;
  return (now: Date): Message | null => {
    const groups = scoresByLabel(options.store, now, interval);
    if (groups.size === 0) return null;
    const body: Record<string, JsonTree> = {};
    for (const [label, scores] of groups) {
      body[label] = {
        mean: pyFloat(round3(mean(scores))),
        min: pyFloat(Math.min(...scores)),
        max: pyFloat(Math.max(...scores)),
        count: scores.length,
      };
    }
    body.timeinterval = timeInterval(now, interval);
    return createMessage("summary", stringifyAcoupi(body), now);
  };
}
