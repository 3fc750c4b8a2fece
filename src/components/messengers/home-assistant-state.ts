/**
 * @module The state Home Assistant shows for a sensor, gathered from the running program: its
 * health line, the last recording, what today brought (the day in the program's time zone, read
 * from the metadata store so a restart does not reset it), disk free, CPU temperature and the
 * outbox depth. Each source is optional; a missing one leaves its field null or zero.
 */
import type { ActivityStore } from "../stores/types.ts";
import { cpuTemperature, diskSpace } from "../../system/metrics.ts";
import { secondsOfDay, zonedClock } from "../../time/zoned-clock.ts";
import type { HomeAssistantState } from "./home-assistant-discovery.ts";

/** Home Assistant keeps at most 255 characters of a state. */
const MAX_STATE = 255;

export interface HomeAssistantStateSources {
  health: () => string;
  lastRecordingAt?: () => Date | null;
  activity?: ActivityStore;
  outboxPending: () => number;
  /** A path on the filesystem that holds the recordings and the outbox. */
  storagePath: string;
  timezone?: string;
  thermalZonePath?: string;
  now: () => Date;
}

/** The start of the local day that holds `now`, in `timezone` (UTC without one). */
export function startOfDay(now: Date, timezone = "UTC"): Date {
  const wall = zonedClock(timezone)(now);
  return new Date(Math.round(now.getTime() - secondsOfDay(wall) * 1000));
}

function clip(text: string): string {
  return text.length > MAX_STATE ? `${text.slice(0, MAX_STATE - 1)}…` : text;
}

export function homeAssistantState(sources: HomeAssistantStateSources): () => HomeAssistantState {
  return () => {
    const now = sources.now();
    const activity = sources.activity?.activity({ after: startOfDay(now, sources.timezone), before: now });
    const free = diskSpace(sources.storagePath, { now }).find((m) => m.name === "remaining_storage");
    const temperature = cpuTemperature({ now, ...(sources.thermalZonePath === undefined ? {} : { path: sources.thermalZonePath }) })[0];
    const last = activity?.lastDetection ?? null;
    return {
      health: clip(sources.health()),
      last_recording: sources.lastRecordingAt?.()?.toISOString() ?? null,
      recordings_today: activity?.recordings ?? 0,
      detections_today: activity?.detections ?? 0,
      last_detection_label: last?.label === null || last === null ? null : clip(last.label),
      last_detection_score: last?.score ?? null,
      disk_free_mb: free === undefined ? null : Math.round(free.value / 1e6),
      cpu_temperature: temperature?.value ?? null,
      outbox_depth: sources.outboxPending(),
    };
  };
}
