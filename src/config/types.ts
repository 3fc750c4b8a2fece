/**
 * @module Value types shared by program configs: times of day (`HH:MM` or `HH:MM:SS`, stored
 * as acoupi writes them, `06:00:00`), IANA time zones (validated), and paths under
 * `$ACOUPI_HOME` whose defaults are computed when the config is built, not at import.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { acoupiHome } from "../system/paths.ts";
import { formatTimeOfDay, parseTimeOfDay } from "../time/time-of-day.ts";
import { isValidTimeZone } from "../time/zoned-clock.ts";

export { formatTimeOfDay, parseTimeOfDay, isValidTimeZone };

/** A time of day; accepts `HH:MM` and `HH:MM:SS`, normalises to `HH:MM:SS`. */
export function timeOfDay(defaultValue: string) {
  return z
    .string()
    .transform((text, ctx) => {
      const seconds = parseTimeOfDay(text);
      if (seconds === null) {
        ctx.addIssue({ code: "custom", message: `expected a time as HH:MM or HH:MM:SS, received "${text}"` });
        return z.NEVER;
      }
      return formatTimeOfDay(seconds);
    })
    .default(defaultValue);
}

/** An IANA time zone name such as `Europe/London`. */
export function timeZone(defaultValue: string) {
  return z
    .string()
    .superRefine((name, ctx) => {
      if (!isValidTimeZone(name)) {
        ctx.addIssue({ code: "custom", message: `unknown time zone "${name}": use an IANA name such as Europe/London` });
      }
    })
    .default(defaultValue);
}

/** Expands a leading `~` and makes the path absolute. */
export function expandPath(path: string): string {
  const expanded = path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return resolve(expanded);
}

/** A filesystem path; the default is relative to `$ACOUPI_HOME`, computed when the config is built. */
export function homePath(relative: string) {
  return z.string().min(1).transform(expandPath).default(() => join(acoupiHome(), relative));
}
