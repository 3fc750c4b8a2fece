/**
 * @module The one door to the sections of a program's config that acoupi itself reads:
 * `timezone`, `paths`, `recording` (its `interval` and daily schedule), `web`, `messaging` (its
 * `messages_db`) and `microphone`. The runner, the page, the report commands and the CLI read them
 * here and nowhere else, from a config the program's own schema has validated. Each section is
 * optional, because a program may do without it (the `test` program has none); a section that is
 * there must have the shape the machinery reads, and one that seems renamed (`path` for `paths`,
 * `webs` for `web`) is refused by name instead of reading as absent. Where the config's type is
 * known, the same is a compile error: `defineProgram` refuses such a schema (SectionsGuard), and
 * `sectionsOf` such a config.
 */
import { z } from "zod";
import { describeIssue } from "../config/validate.ts";
import { ConfigError } from "../errors.ts";
import { isValidTimeZone } from "../time/zoned-clock.ts";
import { WebConfigSchema } from "./templates/web-config.ts";

const text = z.string().min(1);
const timeOfDay = z.string().regex(/^\d{1,2}:\d{2}(:\d{2})?$/, "a time of day such as 06:00:00");

/** The sections and the fields of them that acoupi reads; a program's config may hold more. */
const SectionsSchema = z.object({
  timezone: text.refine(isValidTimeZone, "an IANA time zone such as Europe/London").optional(),
  paths: z.object({ tmp_audio: text, recordings: text, db_metadata: text }).optional(),
  recording: z.object({ interval: z.number().positive(), schedule_start: timeOfDay.optional(), schedule_end: timeOfDay.optional() }).optional(),
  web: WebConfigSchema.optional(),
  messaging: z
    .object({
      messages_db: text,
      // Whether a messenger is configured; its own settings are the messaging template's business.
      mqtt: z.unknown().optional(),
      http: z.unknown().optional(),
    })
    .optional(),
  microphone: z.object({ device_name: text, samplerate: z.number().int().positive(), audio_channels: z.number().int().positive() }).optional(),
});

/** The known sections of a program's config, each undefined when the program has none. */
export type ProgramSections = z.output<typeof SectionsSchema>;
/** What each known section must accept, for code that knows its config's type. */
export type SectionsInput = z.input<typeof SectionsSchema>;
export type SectionName = keyof ProgramSections;

export const SECTION_NAMES = Object.keys(SectionsSchema.shape) as SectionName[];

/** What to call the config in messages: `program "default"`, or the file it came from. */
export interface SectionsSource {
  program?: string;
  file?: string;
}

function whose(source: SectionsSource): string {
  const program = source.program === undefined ? "The program's config" : `The config of program "${source.program}"`;
  return source.file === undefined ? program : `${program} (${source.file})`;
}

/** A key folded the way a rename usually goes: case, `_`/`-`, and a trailing `s` do not count. */
function folded(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, "").replace(/s$/, "");
}

/** The top-level key that looks like a renamed known section, with the section it stands for. */
function renamedSection(config: Record<string, unknown>): { key: string; section: SectionName } | null {
  for (const section of SECTION_NAMES) {
    if (section in config) continue;
    const key = Object.keys(config).find((k) => folded(k) === folded(section));
    if (key !== undefined) return { key, section };
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The known sections of a validated program config. Throws a ConfigError naming the key when a
 * section is there with another shape, or when a key looks like a known section renamed.
 */
export function programSections(config: unknown, source: SectionsSource = {}): ProgramSections {
  if (config === undefined || config === null) return {};
  if (!isRecord(config)) {
    throw new ConfigError(`${whose(source)} is ${Array.isArray(config) ? "a list" : typeof config}, not an object of sections`, {
      help: "A program's configSchema must be a z.object({...}) of sections",
    });
  }
  const renamed = renamedSection(config);
  if (renamed !== null) {
    throw new ConfigError(`${whose(source)} has a section "${renamed.key}" but no "${renamed.section}": acoupi reads "${renamed.section}", so "${renamed.key}" would be ignored`, {
      key: renamed.section,
      help: `Rename "${renamed.key}" to "${renamed.section}" in the program's configSchema (the basic template's schema has it)`,
    });
  }
  const result = SectionsSchema.safeParse(config);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ConfigError(`${whose(source)} has a section acoupi cannot read: ${result.error.issues.map(describeIssue).join("; ")}`, {
      key: first ? first.path.map(String).join(".") : undefined,
      help: "Give the section the shape of the basic template's (see docs/configuration.md), or rename it if it means something else",
    });
  }
  return result.data;
}

type Unseparated<K extends string> = K extends `${infer A}_${infer B}` ? Unseparated<`${A}${B}`> : K extends `${infer A}-${infer B}` ? Unseparated<`${A}${B}`> : K;
type Folded<K extends string> = K extends string ? (Lowercase<Unseparated<K>> extends `${infer Stem}s` ? Stem : Lowercase<Unseparated<K>>) : never;
type LiteralKeys<C> = { [K in keyof C & string]: string extends K ? never : K }[keyof C & string];
/** Known sections under another spelling: what `folded` finds at run time, found by the compiler. */
type Renamed<C> = { [K in Exclude<LiteralKeys<C>, SectionName>]: Folded<K> extends Folded<SectionName> ? K : never }[Exclude<LiteralKeys<C>, SectionName>];

/**
 * What a typed config must be for `sectionsOf`: each known section it has in the shape acoupi
 * reads, and no key that looks like a known section renamed (such a key must be `never`).
 */
export type CheckedSections<C> = { [K in keyof C as K extends SectionName ? K : never]: SectionsInput[K & SectionName] } & { [K in Renamed<C>]: never };

/** `programSections` for code that knows its config's type: a renamed or reshaped section does not compile. */
export function sectionsOf<C extends object>(config: C & CheckedSections<C>, source: SectionsSource = {}): ProgramSections {
  return programSections(config, source);
}

/**
 * For `defineProgram`: nothing when a config type `C` passes `sectionsOf`'s check, else a
 * `configSchema` type that no schema matches, whose text says which section is renamed or reshaped.
 */
export type SectionsGuard<C> = C extends CheckedSections<C>
  ? unknown
  : { configSchema: [Renamed<C>] extends [never] ? "a known section (timezone, paths, recording, web, messaging, microphone) has another shape than acoupi reads" : `the config section "${Renamed<C>}" looks like a renamed known section: acoupi would ignore it` };
