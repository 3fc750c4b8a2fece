/**
 * @module The `update` section of every program's config: where `acoupi self-update` finds
 * releases, how long a new runner has to prove itself healthy before it is rolled back, and an
 * optional pinned version for fleets that move in steps.
 */
import { z } from "zod";
import { noPrompt } from "../config/markers.ts";
import { valueAt } from "../config/value-at.ts";

export const UpdateConfigSchema = z.object({
  url: z
    .string()
    .nullable()
    .default(null)
    .describe("Base URL (or local folder) of the release files for `acoupi self-update`; `{version}` in it is replaced by update.version; empty: ACOUPI_RELEASE_URL"),
  health_deadline_s: z
    .number()
    .min(10)
    .max(86400)
    .default(300)
    .describe("Seconds the updated runner has to make a recording (and not crash) before the previous binary is restored"),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/, "a version such as 1.2.0")
    .nullable()
    .default(null)
    .describe("Pin: `self-update` installs only this version (empty: the latest the URL serves)"),
});
export type UpdateConfig = z.output<typeof UpdateConfigSchema>;

/** The update section for code that does not know the program's schema (configs without one get the defaults). */
export function updateConfigOf(config: unknown): UpdateConfig {
  return UpdateConfigSchema.parse(valueAt(config, "update") ?? {});
}

export const UPDATE_SECTION = noPrompt(UpdateConfigSchema.prefault({}).describe("Where `acoupi self-update` finds releases, and its rollback deadline"));
