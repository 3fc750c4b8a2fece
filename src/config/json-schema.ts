/**
 * @module The JSON Schema of a program's config (zod 4's `z.toJSONSchema`, input side, as a
 * program.json is written), for editors and fleet tooling. Our markers (noPrompt, secret,
 * opened, …) move under `x-acoupi` so strict validators accept the schema, secrets are also
 * `writeOnly`, and defaults computed at parse time (time of day, paths) are filled in.
 */
import { z } from "zod";
import type { FieldMeta } from "./markers.ts";

const MARKERS: ReadonlyArray<keyof FieldMeta> = ["noPrompt", "secret", "askWhen", "opened", "path", "needsCoordinates", "atLeast", "defaultText", "requiredWhen"];

type Json = Record<string, unknown>;

export function programJsonSchema(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const json = ctx.jsonSchema as Json;
      const extra: Json = {};
      for (const key of MARKERS) {
        if (key in json) {
          extra[key] = json[key];
          delete json[key];
        }
      }
      if (Object.keys(extra).length > 0) json["x-acoupi"] = extra;
      if (extra.secret === true) json.writeOnly = true;
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === "default" && !("default" in json)) {
        const parsed = (ctx.zodSchema as unknown as z.ZodType).safeParse(undefined);
        if (parsed.success && parsed.data !== undefined) json.default = parsed.data;
      }
    },
  }) as Json;
}
