/**
 * @module Message and Response: what goes through the outbox. `kind` is ours (acoupi has one
 * untyped outbox); it decides the drop order when the outbox is over its ceiling.
 */
import { z } from "zod";
import { UtcDateSchema } from "./utc-date.ts";

export const MessageKindSchema = z.enum(["detection", "summary", "heartbeat"]);
export type MessageKind = z.output<typeof MessageKindSchema>;

export const MessageSchema = z.object({
  id: z.uuid(),
  kind: MessageKindSchema,
  content: z.string(),
  created_on: UtcDateSchema,
});
export type Message = z.output<typeof MessageSchema>;

/** acoupi's ResponseStatus IntEnum values. */
export const ResponseStatus = { SUCCESS: 0, FAILED: 1, ERROR: 2, TIMEOUT: 3 } as const;
export type ResponseStatus = (typeof ResponseStatus)[keyof typeof ResponseStatus];

export const ResponseSchema = z.object({
  message_id: z.uuid(),
  status: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  content: z.string().nullable().default(null),
  received_on: UtcDateSchema,
});
export type Response = z.output<typeof ResponseSchema>;

export function createMessage(kind: MessageKind, content: string, now: Date = new Date()): Message {
  return { id: crypto.randomUUID(), kind, content, created_on: now };
}
