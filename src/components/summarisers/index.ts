/** @module Summarisers, the program API's `summarisers`: score statistics and counts over thresholds. */
export { statisticsSummariser } from "./statistics-summariser.ts";
export { ThresholdsSummariserConfigSchema, thresholdsSummariser } from "./thresholds-summariser.ts";
export type { Summariser } from "./types.ts";
