/**
 * @module The difference between two configs, key by key: each dotted leaf key whose value
 * differs, with both values (lists compare whole). `config set`, `config diff` and setup print
 * it, with secrets masked, so no change of behaviour goes unseen.
 */
import type { z } from "zod";
import { isSecretPath, maskSecrets } from "./secrets.ts";

export interface ConfigChange {
  key: string;
  before: unknown;
  after: unknown;
}

function isSection(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function diffConfig(before: unknown, after: unknown, prefix = ""): ConfigChange[] {
  // A section switched on or off differs key by key, so a secret inside it is never shown whole.
  const absent = (v: unknown) => v === null || v === undefined;
  if ((isSection(before) || isSection(after)) && (isSection(before) || absent(before)) && (isSection(after) || absent(after))) {
    const b = isSection(before) ? before : {};
    const a = isSection(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return keys.flatMap((key) => diffConfig(b[key], a[key], prefix ? `${prefix}.${key}` : key));
  }
  if (JSON.stringify(before ?? null) === JSON.stringify(after ?? null)) return [];
  return [{ key: prefix, before: before ?? null, after: after ?? null }];
}

/**
 * One line per change, `key: before → after`; a secret shows only that it changed, and the
 * credentials in a URL (user info, query values) are masked as `config show` masks them.
 */
export function formatChanges(schema: z.ZodType, changes: readonly ConfigChange[]): string[] {
  return changes.map((c) => {
    const path = c.key.split(".");
    if (isSecretPath(schema, path)) return `  ${c.key}: (secret changed)`;
    return `  ${c.key}: ${JSON.stringify(maskSecrets(schema, c.before, path))} → ${JSON.stringify(maskSecrets(schema, c.after, path))}`;
  });
}
