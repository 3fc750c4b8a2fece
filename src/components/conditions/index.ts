/**
 * @module Recording conditions, the program API's `conditions`: daily windows, dawn and dusk,
 * free space, the schedule the basic template uses, and the combinators `all`, `any`, `not`.
 */
export { all, any, not } from "./combinators.ts";
export { dawnDuskWindow } from "./dawn-dusk-window.ts";
export { hasFreeSpace } from "./has-free-space.ts";
export { isInInterval } from "./is-in-interval.ts";
export { isInIntervals } from "./is-in-intervals.ts";
export { recordingSchedule } from "./recording-schedule.ts";
export type * from "./types.ts";
