/**
 * @module The `default` program, as acoupi's `acoupi.programs.default`: records on the daily
 * schedule and files every recording by date, or only those the optional `recording_saving`
 * filters keep (a saving window, a frequency schedule, minutes around dawn and dusk).
 */
import { z } from "zod";
import { recordingSavingSchema, savingFiltersFromConfig } from "../src/components/saving-filters/recording-saving.ts";
import { defineProgram } from "../src/programs/define-program.ts";
import { BasicConfigSchema, basicTemplate } from "../src/programs/templates/basic.ts";
import { DEFAULT_WORKERS } from "../src/programs/workers.ts";

export const DefaultConfigSchema = BasicConfigSchema.extend({
  recording_saving: recordingSavingSchema()
    .nullable()
    .default(null)
    .describe("Keep only recordings made in these windows; leave unset to keep every recording"),
});
export type DefaultConfig = z.output<typeof DefaultConfigSchema>;

export default defineProgram({
  name: "default",
  description: "Records on a schedule and files the recordings by date",
  aliases: ["acoupi.programs.default"],
  configSchema: DefaultConfigSchema,
  workers: DEFAULT_WORKERS,
  setup(config, ctx) {
    // Dawn/dusk filters read each recording's deployment coordinates.
    const filters = savingFiltersFromConfig(config.recording_saving, { timezone: config.timezone });
    basicTemplate(ctx, config, { savingFilters: filters });
  },
});
