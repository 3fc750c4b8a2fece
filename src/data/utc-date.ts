/**
 * @module A zod schema for timestamps: accepts a Date or an ISO string (acoupi's legacy naive
 * strings are read as UTC) and yields a Date. Everything is stored and sent as UTC.
 */
import { z } from "zod";
import { parseUtc } from "./json.ts";

export const UtcDateSchema = z.union([
  z.date(),
  z.string().transform((s, ctx) => {
    try {
      return parseUtc(s);
    } catch {
      ctx.addIssue({ code: "custom", message: `Invalid timestamp "${s}"` });
      return z.NEVER;
    }
  }),
]);
