/**
 * @module Field markers for config schemas, stored as zod metadata so a component's schema
 * carries them with it:
 * - `noPrompt` (acoupi's NoUserPrompt): never asked during setup, still settable from arguments;
 *   on a section it covers every field inside it;
 * - `secret`: masked in `config show`, never echoed while typed, never logged;
 * - `askWhen`: asked only when a sibling field is set and not false (TLS files after "use TLS? y");
 * - `appliesWhen`: asked only when a sibling has one of some values (a classifier's tensor names
 *   only for `model.kind classifier`), so setup asks only what the choices made so far use;
 * - `opened`: a file, folder or device the runner holds open, so it cannot change under a live
 *   deployment;
 * - `atLeast`: the value may not be below a sibling's (recording.interval ≥ recording.duration);
 * - `requiredWhen`: the value must be given when a sibling has a value (model.labels for a
 *   classifier);
 * - `needsCoordinates`: when set to a non-zero, non-empty value, the deployment needs its latitude
 *   and longitude (a dawn/dusk filter), so `start` asks for them or refuses.
 */
import type { z } from "zod";

export interface FieldMeta {
  description?: string;
  noPrompt?: boolean;
  secret?: boolean;
  askWhen?: string;
  appliesWhen?: { sibling: string; is: ReadonlyArray<string | number | boolean> };
  opened?: boolean;
  /** Set by `opened(schema, kind)` for paths: what the value names. */
  path?: "file" | "folder";
  needsCoordinates?: boolean;
  atLeast?: string;
  requiredWhen?: { sibling: string; is: string | number | boolean };
  /** The default in words, for a default computed where the config is built (a path, the machine's zone). */
  defaultText?: string;
}

function mark<T extends z.ZodType>(schema: T, extra: FieldMeta): T {
  return schema.meta({ ...(schema.meta() ?? {}), ...extra }) as T;
}

/** Marks a field as never prompted for (acoupi's `NoUserPrompt`). */
export function noPrompt<T extends z.ZodType>(schema: T): T {
  return mark(schema, { noPrompt: true });
}

/** Marks a field as a secret: masked in `config show`, not echoed, never printed or logged. */
export function secret<T extends z.ZodType>(schema: T): T {
  return mark(schema, { secret: true });
}

/** Asks for the field only when the sibling field `sibling` is set and not false. */
export function askWhen<T extends z.ZodType>(sibling: string, schema: T): T {
  return mark(schema, { askWhen: sibling });
}

/** Asks for the field only when the sibling field `sibling` has one of the values `is`. */
export function appliesWhen<T extends z.ZodType>(sibling: string, is: ReadonlyArray<string | number | boolean>, schema: T): T {
  return mark(schema, { appliesWhen: { sibling, is } });
}

/**
 * Marks a field (or a section) that the runner opens: changing it waits for `acoupi stop`. For a
 * path, `kind` says whether it names a file or a folder, so `check` can test it.
 */
export function opened<T extends z.ZodType>(schema: T, kind?: "file" | "folder"): T {
  return mark(schema, kind ? { opened: true, path: kind } : { opened: true });
}

/** Marks a field that, when switched on, needs the deployment's coordinates (dawn and dusk). */
export function needsCoordinates<T extends z.ZodType>(schema: T): T {
  return mark(schema, { needsCoordinates: true });
}

/** The value may not be below the sibling field `sibling` (checked by validateConfig and setup). */
export function atLeast<T extends z.ZodType>(sibling: string, schema: T): T {
  return mark(schema, { atLeast: sibling });
}

/** Describes a computed default in words for the configuration reference. */
export function defaultText<T extends z.ZodType>(text: string, schema: T): T {
  return mark(schema, { defaultText: text });
}

/** The (optional) field must be given when the sibling field `sibling` is `is`. */
export function requiredWhen<T extends z.ZodType>(sibling: string, is: string | number | boolean, schema: T): T {
  return mark(schema, { requiredWhen: { sibling, is } });
}
