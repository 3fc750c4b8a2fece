/**
 * @module Writing JSON exactly as acoupi 0.6 (pydantic v2 `model_dump_json`) does, so existing
 * acoupi backends ingest our messages unchanged: compact separators, UTC timestamps ending in
 * `Z` with microseconds only when non-zero, and float fields always written with a fraction
 * (`3.0`, not `3`). JavaScript has one number type, so float fields are marked with `pyFloat`.
 */

/** A number that must be written as a Python float. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** Formats a number the way Python's `repr(float)` does for the values we meet. */
export function formatPyFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return value.toFixed(1);
  const text = String(value);
  // JavaScript writes 1e21 as "1e+21" like Python, and 1e-7 as "1e-7" where Python writes "1e-07".
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

/** An ISO 8601 UTC timestamp as pydantic writes it: `2024-05-01T14:03:00Z` or `…:00.123000Z`. */
export function formatUtc(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("Cannot format an invalid date");
  const iso = date.toISOString(); // 2024-05-01T14:03:00.123Z
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 23)}000Z`;
}

/** Parses an ISO timestamp; strings without an offset are read as UTC, as acoupi does. */
export function parseUtc(text: string): Date {
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim());
  const normalised = text.trim().replace(" ", "T");
  const date = new Date(hasZone ? normalised : `${normalised}Z`);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Invalid timestamp "${text}"`);
  return date;
}

export type JsonTree = PyFloat | Date | string | number | boolean | null | JsonTree[] | { [key: string]: JsonTree };

/** Serialises a tree compactly; `PyFloat` and `Date` leaves follow pydantic's format. */
export function stringifyAcoupi(value: JsonTree): string {
  if (value === null) return "null";
  if (value instanceof PyFloat) return formatPyFloat(value.value);
  if (value instanceof Date) return JSON.stringify(formatUtc(value));
  if (Array.isArray(value)) return `[${value.map(stringifyAcoupi).join(",")}]`;
  if (typeof value === "object") {
    const parts = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${stringifyAcoupi(v)}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}
