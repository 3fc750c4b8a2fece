/**
 * @module The help line for a config key that does not exist: the nearest few keys of the
 * program (`mqtt.password` → `messaging.mqtt.password`), not the whole list of about 90.
 */
import type { z } from "zod";
import { nearestNames } from "../system/suggest.ts";
import { listFields } from "./walk.ts";

export function unknownKeyHelp(schema: z.ZodType, key: string): string {
  const near = nearestNames(key, listFields(schema).map((f) => f.path));
  const all = "docs/configuration.md lists every key (`acoupi config show` shows the current ones)";
  return near.length > 0 ? `Did you mean ${near.join(", ")}? ${all}` : all;
}
