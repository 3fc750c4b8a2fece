/** @module Output cleaners, the program API's `cleaners`: by threshold, the top k, by label, and the `detections` section. */
export { labelFilterCleaner } from "./label-filter-cleaner.ts";
export { DetectionsConfigSchema, thresholdCleaner } from "./threshold-cleaner.ts";
export { topKCleaner } from "./top-k-cleaner.ts";
export type { OutputCleaner } from "./types.ts";
