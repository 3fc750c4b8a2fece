/**
 * @module Checks between fields that zod's per-field schemas cannot make without losing
 * `.extend()`: a field marked `atLeast(sibling)` may not be below its sibling (an interval
 * shorter than the recording would start a recording while the last one still runs), and one
 * marked `requiredWhen(sibling, is)` must be given when its sibling has that value. Validation
 * checks a whole config; setup checks each answer as it is given.
 */
import type { z } from "zod";
import { valueAt } from "./value-at.ts";
import { listFields, type FieldInfo } from "./walk.ts";

export interface RelationIssue {
  key: string;
  message: string;
}

/**
 * What is wrong with `value` at `field` given its siblings (`lookup` reads a dotted path of the
 * config so far), or null.
 */
export function relationIssueFor(field: FieldInfo, value: unknown, lookup: (path: string[]) => unknown): string | null {
  const parent = field.path.split(".").slice(0, -1);
  const required = field.meta.requiredWhen;
  if (required && (value === undefined || value === null) && lookup([...parent, required.sibling]) === required.is) {
    return `${field.path} is required when ${[...parent, required.sibling].join(".")} is ${JSON.stringify(required.is)}`;
  }
  if (field.meta.atLeast) {
    const siblingKey = [...parent, field.meta.atLeast].join(".");
    const bound = lookup([...parent, field.meta.atLeast]);
    if (typeof value === "number" && typeof bound === "number" && value < bound) {
      return `${field.path} (${value}) is below ${siblingKey} (${bound}): it must be at least ${siblingKey}`;
    }
  }
  return null;
}

export function relationIssues(schema: z.ZodType, config: unknown): RelationIssue[] {
  const issues: RelationIssue[] = [];
  for (const field of listFields(schema)) {
    if (!field.meta.requiredWhen && !field.meta.atLeast) continue;
    const message = relationIssueFor(field, valueAt(config, field.path), (path) => valueAt(config, path));
    if (message) issues.push({ key: field.path, message });
  }
  return issues;
}
