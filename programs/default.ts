/**
 * @module The `default` program, as acoupi's `acoupi.programs.default`: records on the daily
 * schedule and files every recording by date, or only those the optional `recording_saving`
 * filters keep (a saving window, a frequency schedule, minutes around dawn and dusk).
 */
import { z } from "zod";
import { defineProgram } from "../src/programs/define-program.ts";
import { BasicConfigSchema, basicTemplate } from "../src/programs/templates/basic.ts";
import { DEFAULT_WORKERS } from "../src/programs/workers.ts";

export const DefaultConfigSchema = BasicConfigSchema;
export type DefaultConfig = z.output<typeof DefaultConfigSchema>;

export default defineProgram({
  apiVersion: 1,
  name: "default",
  description: "Records on a schedule and files the recordings by date",
  configSchema: DefaultConfigSchema,
  workers: DEFAULT_WORKERS,
  setup: (config, ctx) => void basicTemplate(ctx, config),
});
