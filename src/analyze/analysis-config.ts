/**
 * @module The program config `acoupi analyze` runs with: the user's (program.json, or a program's
 * defaults, plus the dotted flags), with only what would touch the sensor or the user's files
 * moved aside. The metadata database is `--db` or `<out>/metadata.db`; the outbox is
 * `<out>/outbox.db` (the messages the program would have sent, never sent: no messenger is
 * built); the temp and recordings folders are the output folder, which the program creates but
 * analyze never files into; the privacy screen is off, because it deletes or mutes the files it
 * screens; the page is off. Model, cleaners, filters and thresholds are untouched: they are
 * what is being run.
 */
import { join } from "node:path";
import type { z } from "zod";
import { validateConfig } from "../config/validate.ts";

export interface AnalysisPlaces {
  /** The metadata database the detections go to. */
  dbPath: string;
  outDir: string;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `section.key` on a copy of `config` only where the section exists. */
function setIn(config: Tree, section: string, values: Tree): void {
  const current = config[section];
  if (isTree(current)) config[section] = { ...current, ...values };
}

/** The analysis config, validated again with the program's schema. */
export function analysisConfig<S extends z.ZodType>(schema: S, config: unknown, places: AnalysisPlaces): z.output<S> {
  const copy: Tree = isTree(config) ? structuredClone(config) : {};
  setIn(copy, "paths", { db_metadata: places.dbPath, tmp_audio: places.outDir, recordings: places.outDir });
  setIn(copy, "messaging", { messages_db: join(places.outDir, "outbox.db"), mqtt: null, http: null });
  setIn(copy, "privacy", { enabled: false });
  setIn(copy, "web", { enabled: false });
  return validateConfig(schema, copy, { source: "the analysis configuration" });
}
