/**
 * @module Which settings of a config need the deployment's coordinates: the fields marked
 * `needsCoordinates` (dawn/dusk filters) whose value is switched on. Without coordinates such a
 * filter would discard every recording, so `start` asks for them or refuses, naming the keys.
 */
import type { z } from "zod";
import { valueAt } from "./value-at.ts";
import { listFields } from "./walk.ts";

/** The dotted keys switched on (non-zero, non-empty, not false) that need coordinates. */
export function keysNeedingCoordinates(schema: z.ZodType, config: unknown): string[] {
  return listFields(schema)
    .filter((field) => field.meta.needsCoordinates)
    .map((field) => field.path)
    .filter((key) => {
      const value = valueAt(config, key);
      return value !== undefined && value !== null && value !== false && value !== 0 && value !== "";
    });
}
