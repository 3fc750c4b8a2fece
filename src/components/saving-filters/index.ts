/**
 * @module Saving filters, the program API's `savingFilters`: time windows, dawn and dusk, a
 * frequency schedule, detection thresholds and tags, and the schema of the `recording_saving` section.
 */
export { afterDawnDusk } from "./after-dawn-dusk.ts";
export { beforeDawnDusk } from "./before-dawn-dusk.ts";
export { detectionTagValue } from "./detection-tag-value.ts";
export { detectionTags } from "./detection-tags.ts";
export { frequencySchedule } from "./frequency-schedule.ts";
export { RecordingSavingSchema } from "./recording-saving.ts";
export { saveIfInInterval } from "./save-if-in-interval.ts";
export { savingThreshold } from "./saving-threshold.ts";
export type * from "./types.ts";
