/** @module The MessageStore interface: the outbox (ARCHITECTURE.md, "The life of a message"). */
import type { Message, Response } from "../../data/index.ts";

export type MessageStatus = "pending" | "delivered" | "failed";
export type MessageOrder = "oldest_first" | "newest_first";

export interface OutboxStats {
  pending: number;
  delivered: number;
  failed: number;
  /** Messages dropped over the ceiling, by kind. */
  dropped: Record<"heartbeat" | "summary" | "detection", number>;
}

/**
 * The outbox. Contract: a message is only marked delivered on a confirmed Response (SUCCESS);
 * `getUnsentMessages` returns pending messages whose next attempt is due; failures back off
 * exponentially; a permanent failure marks it failed and it is not retried. Methods throw
 * StoreError. Not safe for concurrent writers in other processes beyond SQLite's own locking.
 */
export interface MessageStore {
  storeMessage(message: Message): void;
  getUnsentMessages(options?: { limit?: number; order?: MessageOrder; now?: Date }): Message[];
  /** Records a response: SUCCESS → delivered; otherwise one more attempt with backoff, or failed if permanent. */
  storeResponse(response: Response, options?: { permanent?: boolean }): void;
  stats(): OutboxStats;
  close(): void;
}
