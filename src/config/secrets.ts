/**
 * @module Masking secrets (fields marked `secret`, and Authorization-like header values) before
 * a config is shown or logged. Passwords and tokens never reach a terminal or a log.
 */
import type { z } from "zod";
import { fieldAt, unwrap } from "./walk.ts";

export const MASK = "********";
const SECRET_KEY_RE = /(password|passwd|token|secret|authorization|api[_-]?key)/i;

/** Whether the field at `path` is a secret (marked, or named like a password or token). */
export function isSecretPath(schema: z.ZodType, path: string[]): boolean {
  const field = fieldAt(schema, path);
  if (field && unwrap(field).meta.secret) return true;
  const last = path[path.length - 1] ?? "";
  return SECRET_KEY_RE.test(last);
}

/** A deep copy of `value` with every secret leaf replaced by `********`. */
export function maskSecrets(schema: z.ZodType, value: unknown, path: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item, i) => maskSecrets(schema, item, [...path, String(i)]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      out[key] = maskSecrets(schema, child, [...path, key]);
    }
    return out;
  }
  if (value !== null && value !== undefined && value !== "" && path.length > 0 && isSecretPath(schema, path)) return MASK;
  return value;
}
