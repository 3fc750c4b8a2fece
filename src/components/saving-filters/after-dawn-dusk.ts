/**
 * @module afterDawnDusk: keep recordings that start within `duration` minutes after civil dawn
 * or dusk, inclusive (acoupi's After_DawnDuskTimeInterval, but at the deployment's coordinates
 * instead of Greenwich). False on days without civil dawn or dusk.
 */
import { twilightFilter, type DawnDuskFilterOptions } from "./_twilight-filter.ts";
import type { SavingFilter } from "./types.ts";

export function afterDawnDusk(config: DawnDuskFilterOptions): SavingFilter {
  return twilightFilter(config, "after");
}
