/**
 * @module The `species` section of the detection programs: the include and exclude lists, the
 * per-species thresholds CSV and the optional time-of-day lists (species allowed only at night,
 * or only by day). Each is a file path, or null for off.
 */
import { z } from "zod";

const listFile = (what: string) => z.string().min(1).nullable().default(null).describe(what);

export const SpeciesConfigSchema = z.object({
  include: listFile("Only these species are kept: a file with one species a line (scientific name or full label)"),
  exclude: listFile("These species are dropped: a file with one species a line (scientific name or full label)"),
  thresholds: listFile("Per-species thresholds over detections.threshold: a CSV of species,threshold lines"),
  night_only: listFile("These species are kept only between sunset and sunrise at the deployment: a species list file"),
  day_only: listFile("These species are kept only between sunrise and sunset at the deployment: a species list file"),
});
export type SpeciesConfig = z.output<typeof SpeciesConfigSchema>;
