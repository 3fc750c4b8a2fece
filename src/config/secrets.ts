/**
 * @module Masking secrets (fields marked `secret`, Authorization-like header values, and the
 * credentials inside URLs: `https://user:pass@…` and query values such as `?token=…`) before a
 * config is shown or logged. Passwords and tokens never reach a terminal or a log.
 */
import type { z } from "zod";
import { fieldAt, unwrap } from "./walk.ts";

export const MASK = "********";
const SECRET_KEY_RE = /(password|passwd|token|secret|auth|api[_-]?key|cookie|credential|session)/i;
const URL_RE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * `text` with a URL's user info and every query value masked; any other text unchanged. The
 * query values are all masked because a token's name varies (`token`, `key`, `sig`, `code` …).
 */
export function maskUrl(text: string): string {
  if (!URL_RE.test(text) || !URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.username === "" && url.password === "" && url.search === "") return text;
  const auth = url.username === "" && url.password === "" ? "" : `${MASK}@`;
  const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=${MASK}`).join("&");
  return `${url.protocol}//${auth}${url.host}${url.pathname}${query === "" ? "" : `?${query}`}${url.hash}`;
}

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
  if (typeof value === "string") return maskUrl(value);
  return value;
}

/** Dotted keys of every `tls_verify: false` in a config: certificate checking turned off. */
export function insecureTlsKeys(value: unknown, path: string[] = []): string[] {
  if (value === null || typeof value !== "object") return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === "tls_verify" && child === false) found.push([...path, key].join("."));
    else found.push(...insecureTlsKeys(child, [...path, key]));
  }
  return found;
}
