/**
 * @module Field markers for config schemas: `noPrompt` (acoupi's NoUserPrompt: never asked
 * during setup, still settable from arguments) and `secret` (masked in `config show`, never
 * logged). They are stored as zod metadata, so a component's schema carries them with it.
 */
import type { z } from "zod";

export interface FieldMeta {
  description?: string;
  noPrompt?: boolean;
  secret?: boolean;
}

/** Marks a field as never prompted for (acoupi's `NoUserPrompt`). */
export function noPrompt<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...(schema.meta() ?? {}), noPrompt: true }) as T;
}

/** Marks a field as a secret: masked in `config show`, never printed or logged. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...(schema.meta() ?? {}), secret: true }) as T;
}
