/**
 * @module The Messenger contract: every implementation runs this suite against a real receiver
 * (a Mosquitto subscriber, a Bun.serve endpoint). It checks exact delivery, order, concurrent
 * sends, failure on a dead endpoint, health checks and an idempotent close.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Messenger } from "../../src/components/messengers/types.ts";
import { createMessage, ResponseStatus, type Message } from "../../src/data/index.ts";
import { AcoupiError, MessageSendError } from "../../src/errors.ts";

/** A live endpoint and what it has received, in arrival order. */
export interface MessengerReceiver {
  received(): string[];
  stop(): Promise<void>;
}

export interface MessengerHarness {
  /** Starts a real endpoint and its receiver. */
  startReceiver(): Promise<MessengerReceiver>;
  /** A messenger that delivers to the receiver started last. */
  messenger(): Messenger;
  /** A messenger aimed at an address where nothing listens. */
  deadMessenger(): Messenger;
}

/** Waits until `n` contents have arrived, or gives up after `ms` and returns what there is. */
export async function waitForReceived(receiver: MessengerReceiver, n: number, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  while (receiver.received().length < n && Date.now() < deadline) await Bun.sleep(10);
  return receiver.received();
}

function detection(i: number): Message {
  return createMessage("detection", JSON.stringify({ n: i, species: "Turdus merula", note: "ünïcødé ✓" }));
}

export function messengerContract(name: string, harness: MessengerHarness): void {
  describe(`${name} (Messenger contract)`, () => {
    let receiver: MessengerReceiver;
    const opened: Messenger[] = [];
    const open = (messenger: Messenger): Messenger => (opened.push(messenger), messenger);

    beforeAll(async () => {
      receiver = await harness.startReceiver();
    });
    afterAll(async () => {
      for (const messenger of opened) await messenger.close();
      await receiver.stop();
    });

    test("a delivered message arrives with exactly its content and a SUCCESS response", async () => {
      const messenger = open(harness.messenger());
      const message = detection(0);
      const before = receiver.received().length;
      const response = await messenger.send(message);
      expect(response.message_id).toBe(message.id);
      expect(response.status).toBe(ResponseStatus.SUCCESS);
      expect(response.received_on).toBeInstanceOf(Date);
      const received = await waitForReceived(receiver, before + 1);
      expect(received.slice(before)).toEqual([message.content]);
    });

    test("messages sent one after another arrive in the order they were sent", async () => {
      const messenger = open(harness.messenger());
      const messages = Array.from({ length: 10 }, (_, i) => detection(100 + i));
      const before = receiver.received().length;
      for (const message of messages) await messenger.send(message);
      const received = await waitForReceived(receiver, before + messages.length);
      expect(received.slice(before)).toEqual(messages.map((m) => m.content));
    });

    test("messages sent concurrently are all delivered", async () => {
      const messenger = open(harness.messenger());
      const messages = Array.from({ length: 8 }, (_, i) => detection(200 + i));
      const before = receiver.received().length;
      const responses = await Promise.all(messages.map((m) => messenger.send(m)));
      expect(responses.map((r) => r.status)).toEqual(messages.map(() => ResponseStatus.SUCCESS));
      const received = await waitForReceived(receiver, before + messages.length);
      expect(received.slice(before).toSorted()).toEqual(messages.map((m) => m.content).toSorted());
    });

    test("check passes against a live endpoint", async () => {
      const messenger = open(harness.messenger());
      await messenger.check();
    });

    test("a send to a dead endpoint throws a retryable MessageSendError", async () => {
      const messenger = open(harness.deadMessenger());
      const error = await messenger.send(detection(300)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessageSendError);
      expect((error as MessageSendError).permanent).toBe(false);
      expect((error as MessageSendError).help).toBeTruthy();
    });

    test("check against a dead endpoint fails with a message and a help line", async () => {
      const messenger = open(harness.deadMessenger());
      const error = await messenger.check().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AcoupiError);
      expect((error as AcoupiError).message).toMatch(/127\.0\.0\.1/);
      expect((error as AcoupiError).help).toBeTruthy();
    });

    test("close can be called twice, and before anything was sent", async () => {
      const used = harness.messenger();
      await used.send(detection(400));
      await used.close();
      await used.close();
      const unused = harness.messenger();
      await unused.close();
      await unused.close();
    });
  });
}
