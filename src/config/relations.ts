/**
 * @module Checks between fields that zod's per-field schemas cannot make without losing
 * `.extend()`: a field marked `atLeast(sibling)` may not be below its sibling (an interval
 * shorter than the recording would start a recording while the last one still runs).
 */
import type { z } from "zod";
import { valueAt } from "./value-at.ts";
import { listFields } from "./walk.ts";

export interface RelationIssue {
  key: string;
  message: string;
}

export function relationIssues(schema: z.ZodType, config: unknown): RelationIssue[] {
  const issues: RelationIssue[] = [];
  for (const field of listFields(schema)) {
    const sibling = field.meta.atLeast;
    if (!sibling) continue;
    const siblingKey = [...field.path.split(".").slice(0, -1), sibling].join(".");
    const value = valueAt(config, field.path);
    const bound = valueAt(config, siblingKey);
    if (typeof value === "number" && typeof bound === "number" && value < bound) {
      issues.push({ key: field.path, message: `${field.path} (${value}) is below ${siblingKey} (${bound}): it must be at least ${siblingKey}` });
    }
  }
  return issues;
}
