/**
 * @module recordingSchedule: the default recording condition of acoupi's basic program, built
 * from `recording.schedule_start`, `recording.schedule_end` and `timezone`. acoupi 0.6 built it
 * as two windows [start, 23:59:59] ∪ [00:00, end], which covers the whole day whenever start <
 * end; here it is one window that wraps past midnight only when start > end.
 */
import { isInInterval } from "./is-in-interval.ts";
import type { RecordingCondition } from "./types.ts";

export interface RecordingScheduleConfig {
  timezone: string;
  recording: { schedule_start: string; schedule_end: string };
}

export function recordingSchedule(config: RecordingScheduleConfig): RecordingCondition {
  return isInInterval({
    start: config.recording.schedule_start,
    end: config.recording.schedule_end,
    timezone: config.timezone,
  });
}
