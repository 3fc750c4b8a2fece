/**
 * @module Combinators for recording conditions: `all` (every one holds; the recording task's own
 * rule, and true for none), `any` (at least one holds; false for none) and `not`.
 */
import type { RecordingCondition } from "./types.ts";

export function all(...conditions: RecordingCondition[]): RecordingCondition {
  return (now) => conditions.every((condition) => condition(now));
}

export function any(...conditions: RecordingCondition[]): RecordingCondition {
  return (now) => conditions.some((condition) => condition(now));
}

export function not(condition: RecordingCondition): RecordingCondition {
  return (now) => !condition(now);
}
