/**
 * @module Checks between fields that zod's per-field schemas cannot make without losing
 * `.extend()`: a field marked `atLeast(sibling)` may not be below its sibling (an interval
 * shorter than the recording would start a recording while the last one still runs), and one
 * marked `requiredWhen(sibling, is)` must be given when its sibling has that value.
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
    const required = field.meta.requiredWhen;
    if (required) {
      const siblingKey = [...field.path.split(".").slice(0, -1), required.sibling].join(".");
      const value = valueAt(config, field.path);
      if (valueAt(config, siblingKey) === required.is && (value === undefined || value === null)) {
        issues.push({ key: field.path, message: `${field.path} is required when ${siblingKey} is ${JSON.stringify(required.is)}` });
      }
    }
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
