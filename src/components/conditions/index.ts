/** @module Recording conditions, re-exported: windows, dawn/dusk, free space and combinators. */
export * from "./combinators.ts";
export * from "./dawn-dusk-window.ts";
export * from "./has-free-space.ts";
export * from "./is-in-interval.ts";
export * from "./is-in-intervals.ts";
export * from "./recording-schedule.ts";
export type * from "./types.ts";
