/**
 * @module Validating a config value against a program schema, once, with errors that name the
 * dotted key and the expected type. Unknown keys are refused by name (acoupi's files carry only
 * known keys, so a typo must not pass silently).
 */
import type { z } from "zod";
import { unknownKeyHelp } from "./key-help.ts";
import { ConfigError } from "../errors.ts";
import { relationIssues } from "./relations.ts";
import { findUnknownKeys } from "./walk.ts";

/** One issue as `key: reason`, in the words a user reads. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join(".") || "(root)";
  let text = issue.message.replace(/^Invalid input: /, "");
  if (issue.code === "too_small" || issue.code === "too_big") {
    text = `${issue.message.replace(/^Too (small|big): /, "")}`;
  }
  return `${key}: ${text}`;
}

export interface ValidateOptions {
  /** Where the value came from, e.g. a file path, for the error message. */
  source?: string;
  /** The help line for an invalid value; the default points at `acoupi config set`, which needs a set-up program. */
  help?: string;
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
    const lines = result.error.issues.map(describeIssue);
    const first = result.error.issues[0];
    throw new ConfigError(`Invalid configuration${where}: ${lines.join("; ")}`, {
      key: first ? first.path.map(String).join(".") : undefined,
      help: options.help ?? "Fix the value with `acoupi config set <key> <value>`, or run `acoupi config show` to see the current configuration",
    });
  }
  const related = relationIssues(schema, result.data);
  if (related.length > 0) {
    throw new ConfigError(`Invalid configuration${where}: ${related.map((r) => r.message).join("; ")}`, {
      key: related[0]?.key,
      help: options.help ?? `Fix the value with \`acoupi config set ${related[0]?.key} <value>\``,
    });
  }
  return result.data;
}
