/** @module MessageBuilder: turns a ModelOutput into an outbox message, or null for none. */
import type { Message, ModelOutput } from "../../data/index.ts";

/** Contract: pure; the message is stored in the same transaction as the output. */
export type MessageBuilder = (output: ModelOutput) => Message | null;
