/**
 * @module Combinators for processing filters: `all` passes when every filter passes (checked in
 * order, stopping at the first no), `any` when one does, and `not` inverts a filter.
 */
import type { Recording } from "../../data/index.ts";
import type { ProcessingFilter } from "./types.ts";

export function all(...filters: ProcessingFilter[]): ProcessingFilter {
  return async (recording: Recording) => {
    for (const filter of filters) if (!(await filter(recording))) return false;
    return true;
  };
}

export function any(...filters: ProcessingFilter[]): ProcessingFilter {
  return async (recording: Recording) => {
    for (const filter of filters) if (await filter(recording)) return true;
    return false;
  };
}

export function not(filter: ProcessingFilter): ProcessingFilter {
  return async (recording: Recording) => !(await filter(recording));
}
