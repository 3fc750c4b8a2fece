/**
 * @module The `recording_saving` section of acoupi's default and connected programs and the
 * filter list they build from it: the saving window always; the frequency schedule when both
 * its numbers are non-zero; the before/after dawn-dusk filters when their durations are
 * non-zero. The file management task ORs them. Unlike acoupi, every filter reads time in the
 * configured zone and dawn/dusk at the deployment's coordinates.
 */
import { z } from "zod";
import { needsCoordinates } from "../../config/markers.ts";
import { timeOfDay } from "../../config/types.ts";
import { afterDawnDusk } from "./after-dawn-dusk.ts";
import { beforeDawnDusk } from "./before-dawn-dusk.ts";
import { frequencySchedule } from "./frequency-schedule.ts";
import { saveIfInInterval } from "./save-if-in-interval.ts";
import type { SavingFilter } from "./types.ts";

/**
 * The `recording_saving` section (acoupi's SaveRecordingFilter) with the default program's
 * defaults; a preset changes them with `withDefaults` (connected starts at 18:30).
 */
export const RecordingSavingSchema = z.object({
  starttime: timeOfDay("18:00:00").describe("Keep recordings made from this time of day, HH:MM:SS local"),
  endtime: timeOfDay("20:00:00").describe("Keep recordings made until this time of day, HH:MM:SS local"),
  before_dawndusk_duration: needsCoordinates(
    z.number().int().min(0).max(1440).default(10).describe("Also keep recordings made this many minutes before dawn and dusk (0 = off; needs the deployment's coordinates)"),
  ),
  after_dawndusk_duration: needsCoordinates(
    z.number().int().min(0).max(1440).default(10).describe("Also keep recordings made this many minutes after dawn and dusk (0 = off; needs the deployment's coordinates)"),
  ),
  frequency_duration: z.number().int().min(0).max(1440).default(5).describe("Also keep the first this-many minutes of every frequency_interval (0 = off)"),
  frequency_interval: z.number().int().min(0).max(1440).default(30).describe("Period in minutes of the frequency schedule (0 = off)"),
});
export type RecordingSaving = z.output<typeof RecordingSavingSchema>;

export interface SavingContext {
  timezone: string;
  /** The deployment's coordinates; null (or absent) uses each recording's deployment. */
  latitude?: number | null;
  longitude?: number | null;
}

/** acoupi's default-program filter list; null or undefined config means no filters (keep all). */
export function savingFiltersFromConfig(recordingSaving: RecordingSaving | null | undefined, context: SavingContext): SavingFilter[] {
  if (!recordingSaving) return [];
  const { timezone } = context;
  const where = { latitude: context.latitude ?? null, longitude: context.longitude ?? null, timezone };
  const filters: SavingFilter[] = [saveIfInInterval({ starttime: recordingSaving.starttime, endtime: recordingSaving.endtime, timezone })];
  if (recordingSaving.frequency_duration !== 0 && recordingSaving.frequency_interval !== 0) {
    filters.push(frequencySchedule({ duration: recordingSaving.frequency_duration, frequency: recordingSaving.frequency_interval, timezone }));
  }
  if (recordingSaving.before_dawndusk_duration !== 0) {
    filters.push(beforeDawnDusk({ duration: recordingSaving.before_dawndusk_duration, ...where }));
  }
  if (recordingSaving.after_dawndusk_duration !== 0) {
    filters.push(afterDawnDusk({ duration: recordingSaving.after_dawndusk_duration, ...where }));
  }
  return filters;
}
