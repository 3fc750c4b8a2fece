/** @module Saving filters, re-exported: time windows, dawn/dusk, thresholds, tags, and the default list. */
export * from "./after-dawn-dusk.ts";
export * from "./before-dawn-dusk.ts";
export * from "./detection-tag-value.ts";
export * from "./detection-tags.ts";
export * from "./frequency-schedule.ts";
export * from "./recording-saving.ts";
export * from "./save-if-in-interval.ts";
export * from "./saving-threshold.ts";
export type * from "./types.ts";
