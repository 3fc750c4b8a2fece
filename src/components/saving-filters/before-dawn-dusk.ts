/**
 * @module beforeDawnDusk: keep recordings that start within `duration` minutes before civil
 * dawn or dusk, inclusive (acoupi's Before_DawnDuskTimeInterval, but at the deployment's
 * coordinates instead of Greenwich). False on days without civil dawn or dusk.
 */
import { twilightFilter, type DawnDuskFilterOptions } from "./_twilight-filter.ts";
import type { SavingFilter } from "./types.ts";

export type { DawnDuskFilterOptions } from "./_twilight-filter.ts";

export function beforeDawnDusk(config: DawnDuskFilterOptions): SavingFilter {
  return twilightFilter(config, "before");
}
