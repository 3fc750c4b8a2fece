/**
 * @module energyTriggerFilter: the energy trigger (models/energy-trigger.ts) as a processing
 * filter, so any model runs only on recordings where the band's power rose above the background.
 */
import type { EnergyTrigger } from "../models/energy-trigger.ts";
import type { ProcessingFilter } from "./types.ts";

export function energyTriggerFilter(trigger: EnergyTrigger): ProcessingFilter {
  return async (recording) => (await trigger.events(recording)).length > 0;
}
