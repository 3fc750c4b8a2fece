/**
 * @module Value types shared by program configs: times of day (`HH:MM` or `HH:MM:SS`, stored
 * as acoupi writes them, `06:00:00`), IANA time zones (validated), and paths under
 * `$ACOUPI_HOME` whose defaults are computed when the config is built, not at import.
 */
import { homedir } from "node:os";
import { extname, join, resolve } from "node:path";
import { z } from "zod";
import { acoupiHome } from "../system/paths.ts";
import { formatTimeOfDay, parseTimeOfDay } from "../time/time-of-day.ts";
import { isValidTimeZone } from "../time/zoned-clock.ts";
import { defaultText, opened } from "./markers.ts";

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

/** The machine's own time zone (TZ, else /etc/localtime), or `fallback` when it has none. */
export function machineTimeZone(fallback: string): string {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isValidTimeZone(zone) ? zone : fallback;
}

/** An IANA time zone name such as `Europe/London`; the default is the machine's zone, else `fallback`. */
export function timeZone(fallback: string) {
  return defaultText(`the machine's time zone (${fallback} when it has none)`, timeZoneField(fallback));
}

function timeZoneField(fallback: string) {
  return z
    .string()
    .superRefine((name, ctx) => {
      if (!isValidTimeZone(name)) {
        ctx.addIssue({ code: "custom", message: `unknown time zone "${name}": use an IANA name such as Europe/London` });
      }
    })
    .default(() => machineTimeZone(fallback));
}

/**
 * Expands a leading `~` and makes the path absolute. A relative path in a config is relative to
 * `$ACOUPI_HOME` (never to the working directory, which is `/` under systemd), so a config copied
 * to another sensor finds its data under that sensor's home.
 */
export function expandPath(path: string): string {
  const expanded = path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return resolve(acoupiHome(), expanded);
}

/**
 * A filesystem path the runner opens; the default is relative to `$ACOUPI_HOME`, computed when
 * the config is built.
 */
export function homePath(relative: string) {
  const kind = extname(relative) === "" ? "folder" : "file";
  return defaultText(`$ACOUPI_HOME/${relative}`, opened(z.string().min(1).transform(expandPath).default(() => join(acoupiHome(), relative)), kind));
}
