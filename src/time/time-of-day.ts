/**
 * @module Times of day: `HH:MM` or `HH:MM:SS` parsed to seconds since midnight and written back
 * as acoupi writes them (`06:00:00`), and daily windows over them (inclusive, wrapping past
 * midnight when the start is after the end, all day when they are equal).
 */
import { ConfigError } from "../errors.ts";

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Parses `HH:MM` or `HH:MM:SS` into seconds since midnight, or null when malformed. */
export function parseTimeOfDay(text: string): number | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return null;
  return h * 3600 + min * 60 + s;
}

export function formatTimeOfDay(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

/** A daily window as seconds since midnight. */
export interface DailyWindow {
  start: number;
  end: number;
}

/** Parses a `{start, end}` pair of times of day; throws ConfigError naming the bad value. */
export function dailyWindow(interval: { start: string; end: string }, key = "interval"): DailyWindow {
  const start = parseTimeOfDay(interval.start);
  const end = parseTimeOfDay(interval.end);
  if (start === null || end === null) {
    const bad = start === null ? interval.start : interval.end;
    throw new ConfigError(`Invalid time of day "${bad}" in ${key}`, { key, help: "Write times as HH:MM or HH:MM:SS, e.g. 06:00:00" });
  }
  return { start, end };
}

/** True when `seconds` since midnight is inside `window` (inclusive, wrapping when start > end). */
export function isWithinDailyWindow(seconds: number, window: DailyWindow): boolean {
  if (window.start === window.end) return true;
  if (window.start > window.end) return seconds >= window.start || seconds <= window.end;
  return seconds >= window.start && seconds <= window.end;
}
