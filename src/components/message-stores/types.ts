/** @module The MessageStore interface: the outbox (ARCHITECTURE.md, "The life of a message"). */
import type { ComponentStatus } from "../../data/component-status.ts";
import type { Message, Response } from "../../data/index.ts";

export type MessageStatus = "pending" | "delivered" | "failed";
export type MessageOrder = "oldest_first" | "newest_first";
export type DroppedCounts = Record<"heartbeat" | "summary" | "detection", number>;

export interface OutboxStats {
  pending: number;
  delivered: number;
  failed: number;
  /** Messages dropped over the ceiling, by kind. */
  dropped: DroppedCounts;
}

/** What one `prune` removed: delivered rows past retention, and undelivered rows dropped by kind. */
export interface PruneResult {
  delivered: number;
  dropped: DroppedCounts;
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
  /**
   * Deletes delivered messages older than the retention period, then enforces the ceiling
   * (rows, bytes, age) by dropping undelivered messages: heartbeats first, then summaries, then
   * detections, oldest first. Drops are logged and counted in `stats().dropped`.
   */
  prune(now?: Date): PruneResult;
  stats(): OutboxStats;
  /**
   * Runs `fn` in one transaction (nested calls become savepoints): the send task writes its
   * outcomes in batches, and an outbox sharing the metadata connection commits messages with the
   * data they report. `fn` must be synchronous; a throw rolls back what it wrote.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
  /** Optional: the store's own health, e.g. a damaged file it replaced at open. */
  status?(): ComponentStatus;
}
