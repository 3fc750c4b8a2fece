/**
 * @module Value types shared by program configs: times of day (`HH:MM` or `HH:MM:SS`, stored
 * as acoupi writes them, `06:00:00`), IANA time zones (validated), and paths under
 * `$ACOUPI_HOME` whose defaults are computed when the config is built, not at import.
 */
import { homedir } from "node:os";
import { extname, join, resolve } from "node:path";
import { z } from "zod";
import { acoupiHome } from "../system/paths.ts";
import { defaultText, opened } from "./markers.ts";

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Parses `HH:MM` or `HH:MM:SS` into seconds since midnight, or null when malformed. */
export function parseTimeOfDay(text: string): number | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return null;
  return h * 3600 + min * 60 + s;
}

export function formatTimeOfDay(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

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

export function isValidTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
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

/** Expands a leading `~` and makes the path absolute. */
export function expandPath(path: string): string {
  const expanded = path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return resolve(expanded);
}

/**
 * A filesystem path the runner opens; the default is relative to `$ACOUPI_HOME`, computed when
 * the config is built.
 */
export function homePath(relative: string) {
  const kind = extname(relative) === "" ? "folder" : "file";
  return defaultText(`$ACOUPI_HOME/${relative}`, opened(z.string().min(1).transform(expandPath).default(() => join(acoupiHome(), relative)), kind));
}
