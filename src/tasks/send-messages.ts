/**
 * @module `sendMessagesTask`: the task that empties the outbox (acoupi's
 * `generate_send_messages_task`). Each run prunes the outbox (at most once a minute), takes the
 * pending messages that are due, oldest or newest first, and sends them through the messengers
 * with a bounded number in flight, because pipelining QoS 1 publishes on one connection is what
 * makes a backlog of thousands drain in seconds. A confirmed send marks the message delivered; a
 * MessageSendError counts an attempt and backs the message off (or fails it for good when
 * `permanent`). A transient failure (broker away, 5xx, timeout) stops the run after the sends
 * already in flight: the rest of the backlog waits for the next run without spending an attempt.
 * Send failures never throw; outcomes are written in batches, one transaction each. The factory
 * returns `{ run, status }`, as every task factory does.
 */
import type { ConsolaInstance } from "consola";
import type { MessageOrder, MessageStore } from "../components/message-stores/types.ts";
import type { Messenger } from "../components/messengers/types.ts";
import { ResponseStatus, type ComponentStatus, type Message, type Response } from "../data/index.ts";
import { ConfigError, MessageSendError } from "../errors.ts";
import { logger as makeLogger } from "../log.ts";
import { systemClock, type Clock } from "../scheduler/clock.ts";
import { SEND_MESSAGES_TASK } from "./names.ts";

export const DEFAULT_SEND_CONCURRENCY = 64;
/** Messages read from the outbox at a time, so a large backlog is never all in memory. */
const PAGE_SIZE = 1000;
/** Outcomes written per transaction. */
const WRITE_BATCH = 256;
/** Pruning scans the outbox, so back-to-back runs (a flush on end, `task run`) prune once a minute. */
const DEFAULT_PRUNE_EVERY_S = 60;

export interface SendMessagesOptions {
  outbox: MessageStore;
  /** Every message goes to each messenger; it is delivered once all of them confirm. Empty: only prune. */
  messengers: Messenger | readonly Messenger[];
  /** Most messages per run; null or undefined sends every due message (acoupi's `max_messages`). */
  maxMessages?: number | null;
  order?: MessageOrder;
  /** Most sends in flight at once; default 64. */
  concurrency?: number;
  /** Seconds (monotonic) between two prunes; a run sooner than that skips it. Default 60. */
  pruneEveryS?: number;
  clock?: Clock;
  logger?: ConsolaInstance;
}

export interface SendMessagesResult {
  /** Messages taken from the outbox this run. */
  selected: number;
  delivered: number;
  /** Sends that failed (each counted as an attempt; `permanent` ones are now failed for good). */
  failed: number;
  /** Taken but not attempted, because a transient failure stopped the run. */
  deferred: number;
  /** The first send failure of the run, for status displays; null when none failed. */
  lastError: MessageSendError | null;
}

export interface SendMessagesTask {
  run: () => Promise<SendMessagesResult>;
  /** The last run's figures and first failure; never degraded by itself (messengers judge that). */
  status: () => ComponentStatus;
  /** The result of the last run, or null before the first. */
  lastRun: () => SendMessagesResult | null;
}

interface Outcome {
  response: Response;
  permanent: boolean;
  delivered: boolean;
}

function asSendError(error: unknown, message: Message): MessageSendError {
  if (error instanceof MessageSendError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new MessageSendError(`Sending message ${message.id} failed unexpectedly: ${text}`, {
    help: "This is a bug in the messenger; the message stays in the outbox and is tried again",
    cause: error,
  });
}

/** Sends one message to every messenger; never throws. */
async function sendToAll(messengers: readonly Messenger[], message: Message, clock: Clock): Promise<Outcome & { error: MessageSendError | null }> {
  const settled = await Promise.allSettled(messengers.map((m) => m.send(message)));
  let error: MessageSendError | null = null;
  let success: Response | null = null;
  for (const result of settled) {
    if (result.status === "rejected") {
      const failure = asSendError(result.reason, message);
      if (error === null || (failure.permanent && !error.permanent)) error = failure;
    } else if (result.value.status !== ResponseStatus.SUCCESS) {
      error ??= new MessageSendError(`Message ${message.id} was not accepted: ${result.value.content ?? `status ${result.value.status}`}`);
    } else {
      success ??= result.value;
    }
  }
  if (error === null && success !== null) return { response: success, permanent: false, delivered: true, error: null };
  const failure = error ?? new MessageSendError(`Message ${message.id} had no messenger to go to`);
  return {
    response: { message_id: message.id, status: ResponseStatus.ERROR, content: failure.message, received_on: clock.now() },
    permanent: failure.permanent,
    delivered: false,
    error: failure,
  };
}

/** Makes the `send_messages_task` function for a scheduler or `acoupi task run`. */
export function sendMessagesTask(options: SendMessagesOptions): SendMessagesTask {
  const messengers: readonly Messenger[] = Array.isArray(options.messengers)
    ? options.messengers
    : [options.messengers as Messenger];
  const maxMessages = options.maxMessages ?? null;
  if (maxMessages !== null && !(Number.isInteger(maxMessages) && maxMessages > 0)) {
    throw new ConfigError(`max_messages must be a positive integer or empty, not ${maxMessages}`, {
      key: "messaging.max_messages",
      help: "Set messaging.max_messages to a positive number, or leave it empty to send every message",
    });
  }
  const concurrency = options.concurrency ?? DEFAULT_SEND_CONCURRENCY;
  if (!(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new ConfigError(`The send concurrency must be a positive integer, not ${concurrency}`);
  }
  const { outbox } = options;
  const order = options.order ?? "oldest_first";
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? makeLogger(SEND_MESSAGES_TASK);

  const writeOutcomes = (outcomes: Outcome[]): void => {
    const write = () => {
      for (const o of outcomes) {
        try {
          outbox.storeResponse(o.response, { permanent: o.permanent });
        } catch (error) {
          // The message was pruned while in flight, or the disk failed: the next run sees it again.
          log.error(`Could not record the outcome of message ${o.response.message_id}:`, error);
        }
      }
    };
    outbox.transaction(write);
  };

  const pruneEveryMs = (options.pruneEveryS ?? DEFAULT_PRUNE_EVERY_S) * 1000;
  let lastPrune: number | null = null;

  let last: SendMessagesResult | null = null;

  async function send_messages_task(): Promise<SendMessagesResult> {
    if (lastPrune === null || clock.monotonic() - lastPrune >= pruneEveryMs) {
      outbox.prune(clock.now());
      lastPrune = clock.monotonic();
    }
    const result: SendMessagesResult = { selected: 0, delivered: 0, failed: 0, deferred: 0, lastError: null };
    if (messengers.length === 0) return result;
    let permanent = 0;
    let stopped = false;
    const seen = new Set<string>();

    while (!stopped) {
      const want = maxMessages === null ? PAGE_SIZE : Math.min(PAGE_SIZE, maxMessages - result.selected);
      if (want <= 0) break;
      const page = outbox.getUnsentMessages({ limit: want, order, now: clock.now() }).filter((m) => !seen.has(m.id));
      if (page.length === 0) break;
      for (const m of page) seen.add(m.id);
      result.selected += page.length;

      let next = 0;
      let pending: Outcome[] = [];
      const worker = async (): Promise<void> => {
        while (!stopped && next < page.length) {
          const message = page[next++] as Message;
          const outcome = await sendToAll(messengers, message, clock);
          pending.push(outcome);
          if (outcome.delivered) {
            result.delivered += 1;
          } else {
            result.failed += 1;
            result.lastError ??= outcome.error;
            if (outcome.permanent) {
              permanent += 1;
              log.error(
                `Message ${message.id} (${message.kind}) failed for good and is kept as failed: ${outcome.error?.message ?? "refused"}; ` +
                  "fix the cause, then run `acoupi outbox retry`",
              );
            } else {
              stopped = true;
            }
          }
          if (pending.length >= WRITE_BATCH) {
            const batch = pending;
            pending = [];
            writeOutcomes(batch);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, page.length) }, worker));
      writeOutcomes(pending);
      result.deferred += page.length - next;
      if (page.length < want) break;
    }

    if (result.lastError !== null) {
      const e = result.lastError;
      const why = stopped ? "; the rest wait for the next run" : "";
      log.warn(`${result.failed} of ${result.selected} messages could not be sent (${permanent} for good)${why}: ${e.message}`);
      if (e.help !== undefined) log.info(e.help);
    }
    if (result.selected > 0) {
      log.info(`Sent ${result.delivered} of ${result.selected} messages: ${result.failed} failed, ${result.deferred} deferred`);
    } else {
      log.debug("No messages due");
    }
    last = result;
    return result;
  }

  return {
    run: send_messages_task,
    lastRun: () => last,
    status: () => ({
      figures: {
        last_selected: last?.selected ?? null,
        last_delivered: last?.delivered ?? null,
        last_failed: last?.failed ?? null,
        last_error: last?.lastError?.message ?? null,
      },
    }),
  };
}
