/**
 * @module The small helpers every SQL-writing part shares: chunking ID lists under SQLite's
 * bound-variable limit, `?` placeholders for an IN list, the sortable UTC text format of stored
 * times, and wrapping a failed call in a StoreError that names what was being done. They open no
 * connection; sqlite.ts does that.
 */
import { StoreError } from "../errors.ts";

/** acoupi chunks at 900; SQLite's own limit is 32766 since 3.32, so this is very safe. */
export const MAX_BOUND_VARIABLES = 900;

/** Splits a list into chunks that fit under the bound-variable limit. */
export function chunks<T>(items: readonly T[], size = MAX_BOUND_VARIABLES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `?, ?, ?` for an IN list of n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

/**
 * Stored timestamps: fixed-width UTC ISO text with milliseconds and `Z`
 * (`2024-05-01T14:03:00.000Z`), so text order is time order.
 */
export function sqlTime(date: Date): string {
  return date.toISOString();
}

/** Wraps any failure of `fn` in a StoreError naming the operation; StoreErrors pass through. */
export function storeCall<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
