/**
 * @module Validating a config value against a program schema, once, with errors that name the
 * dotted key and the expected type. Unknown keys are refused by name (acoupi's files carry only
 * known keys, so a typo must not pass silently).
 */
import type { z } from "zod";
import { unknownKeyHelp } from "./key-help.ts";
import { ConfigError } from "../errors.ts";
import { relationIssues } from "./relations.ts";
import { valueAt } from "./value-at.ts";
import { findUnknownKeys } from "./walk.ts";

/** One issue as `key: reason`, in the words a user reads. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join(".") || "(root)";
  let text = issue.message.replace(/^Invalid input: /, "");
  // A key left out reads as "required", not as zod's "received undefined".
  const missing = /^expected (.+), received undefined$/.exec(text);
  if (missing) text = `required (${missing[1]}), and not given`;
  if (issue.code === "too_small" || issue.code === "too_big") {
    text = `${issue.message.replace(/^Too (small|big): /, "")}`;
  }
  return `${key}: ${text}`;
}

export interface ValidateOptions {
  /** Where the value came from, e.g. a file path, for the error message. */
  source?: string;
  /**
   * The help line for an invalid value, or a function of the first key at fault; the default
   * points at `acoupi config set`, which needs a set-up program.
   */
  help?: string | ((key: string | undefined) => string);
}

/** Parses `value` with `schema`; throws ConfigError naming the keys at fault. */
export function validateConfig<S extends z.ZodType>(schema: S, value: unknown, options: ValidateOptions = {}): z.output<S> {
  const where = options.source ? ` in ${options.source}` : "";
  const unknown = findUnknownKeys(schema, value);
  if (unknown.length > 0) {
    throw new ConfigError(`Unknown configuration key${unknown.length > 1 ? "s" : ""}${where}: ${unknown.join(", ")}`, {
      key: unknown[0],
      help: unknownKeyHelp(schema, unknown[0] as string),
    });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = leafIssues(schema, value, result.error.issues);
    const lines = issues.map(describeIssue);
    const first = issues[0];
    const key = first ? first.path.map(String).join(".") : undefined;
    throw new ConfigError(`Invalid configuration${where}: ${lines.join("; ")}`, {
      key,
      help: helpFor(options.help, key) ?? "Fix the value with `acoupi config set <key> <value>`, or run `acoupi config show` to see the current configuration",
    });
  }
  const related = relationIssues(schema, result.data);
  if (related.length > 0) {
    throw new ConfigError(`Invalid configuration${where}: ${related.map((r) => r.message).join("; ")}`, {
      key: related[0]?.key,
      help: helpFor(options.help, related[0]?.key) ?? `Fix the value with \`acoupi config set ${related[0]?.key} <value>\``,
    });
  }
  return result.data;
}

function helpFor(help: ValidateOptions["help"], key: string | undefined): string | undefined {
  return typeof help === "function" ? help(key) : help;
}

/**
 * A section left out whole reads as "loudness: expected object"; the user needs the keys inside
 * it that have no default. Fills each missing object with `{}` (in a copy) until the issues name
 * leaves, and keeps the original issues if the fill would hide them.
 */
function leafIssues(schema: z.ZodType, value: unknown, issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  let copy: unknown = structuredClone(value);
  let current = issues;
  const filled: z.core.$ZodIssue[] = [];
  for (let round = 0; round < 8; round++) {
    const missing = current.filter((i) => i.code === "invalid_type" && i.expected === "object" && valueAt(copy, i.path.map(String)) === undefined);
    if (missing.length === 0) break;
    for (const issue of missing) copy = withEmptyObject(copy, issue.path);
    filled.push(...missing);
    const again = schema.safeParse(copy);
    current = again.success ? [] : again.error.issues;
  }
  // A section that `{}` satisfies is still missing: its own issue stays.
  const within = (issue: z.core.$ZodIssue, section: z.core.$ZodIssue) => section.path.every((key, n) => issue.path[n] === key);
  return [...current, ...filled.filter((section) => !current.some((issue) => within(issue, section)))];
}

function withEmptyObject(value: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return {};
  const root = value !== null && typeof value === "object" ? value : {};
  let at = root as Record<PropertyKey, unknown>;
  for (const key of path.slice(0, -1)) {
    if (at[key] === null || typeof at[key] !== "object") at[key] = {};
    at = at[key] as Record<PropertyKey, unknown>;
  }
  at[path[path.length - 1] as PropertyKey] = {};
  return root;
}
