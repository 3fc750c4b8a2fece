/** @module Processing filters, the program API's `processingFilters`: a loudness gate and the combinators. */
export { all, any, not } from "./combinators.ts";
export { rmsAbove, rmsDbfs } from "./rms-above.ts";
export type { ProcessingFilter } from "./types.ts";
