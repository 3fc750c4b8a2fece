/**
 * @module The time-of-day rules (`species.night_only`, `species.day_only`): a species on the night
 * list is kept only when its detection falls between sunset and sunrise at the deployment, one on
 * the day list only between sunrise and sunset (the sun's altitude at that instant, by suncalc, at the
 * deployment's coordinates). Without coordinates there is no sun to judge by, and nothing is dropped.
 */
import { getPosition } from "suncalc";
import type { SpeciesList } from "./species-list.ts";
import { partition, type DetectionRule } from "./types.ts";

/** The sun's altitude at sunrise and sunset, as suncalc defines them (upper limb at the horizon, with refraction). */
const SUNRISE_ALTITUDE = (-0.833 * Math.PI) / 180;

/** True when the sun is up at `instant` at this place (between sunrise and sunset; right in polar day and night too). */
export function isDaytime(instant: Date, latitude: number, longitude: number): boolean {
  return getPosition(instant, latitude, longitude).altitude > SUNRISE_ALTITUDE;
}

export function timeOfDayRule(list: SpeciesList, when: "night" | "day"): DetectionRule {
  const rule = when === "night" ? "species.night_only" : "species.day_only";
  return {
    rule,
    apply(output) {
      const { latitude, longitude } = output.recording.deployment;
      if (latitude === null || longitude === null) return { output, dropped: [] };
      const start = output.recording.created_on.getTime();
      return partition(output, rule, (d, label) => {
        if (label === null || !list.has(label)) return null;
        const at = new Date(start + (d.location?.coordinates[0] ?? 0) * 1000);
        const day = isDaytime(at, latitude, longitude);
        if (when === "night" && day) return `heard by day (${at.toISOString()}); listed as night-only in ${list.path} line ${list.lineOf(label)}`;
        if (when === "day" && !day) return `heard at night (${at.toISOString()}); listed as day-only in ${list.path} line ${list.lineOf(label)}`;
        return null;
      });
    },
  };
}
