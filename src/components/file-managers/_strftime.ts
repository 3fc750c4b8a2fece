/**
 * @module A small strftime for file names, in UTC: %Y %m %d %H %M %S %f (microseconds) %y %j
 * %z %Z %%. The format is compiled once, so an unknown directive is a ConfigError when the file
 * manager is built, not when a recording is being saved.
 */
import { ConfigError } from "../../errors.ts";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

const DIRECTIVES: Record<string, (d: Date) => string> = {
  Y: (d) => String(d.getUTCFullYear()),
  y: (d) => pad(d.getUTCFullYear() % 100),
  m: (d) => pad(d.getUTCMonth() + 1),
  d: (d) => pad(d.getUTCDate()),
  H: (d) => pad(d.getUTCHours()),
  M: (d) => pad(d.getUTCMinutes()),
  S: (d) => pad(d.getUTCSeconds()),
  f: (d) => pad(d.getUTCMilliseconds() * 1000, 6),
  j: (d) => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3),
  z: () => "+0000",
  Z: () => "UTC",
  "%": () => "%",
};

/** Compiles a strftime format into a function of a Date (read in UTC). */
export function compileStrftime(format: string, key: string): (date: Date) => string {
  const parts: ((d: Date) => string)[] = [];
  let literal = "";
  for (let i = 0; i < format.length; i++) {
    const char = format[i];
    if (char !== "%") {
      literal += char;
      continue;
    }
    const name = format[i + 1] ?? "";
    const directive = DIRECTIVES[name];
    if (directive === undefined) {
      throw new ConfigError(`Unsupported time format directive "%${name}" in "${format}"`, {
        key,
        help: "Use %Y %m %d %H %M %S %f %y %j %z %Z or %%, e.g. %Y%m%d_%H%M%S",
      });
    }
    if (literal !== "") {
      const text = literal;
      parts.push(() => text);
      literal = "";
    }
    parts.push(directive);
    i++;
  }
  if (literal !== "") parts.push(() => literal);
  return (date) => parts.map((part) => part(date)).join("");
}
