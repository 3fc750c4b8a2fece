/**
 * @module The MessageStore conformance suite: every outbox implementation runs it through
 * `messageStoreContract(name, makeStore)`. `makeStore` must give a store with its default
 * limits (no age limit, a ceiling far above what these tests write).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ResponseStatus, type Message, type MessageKind, type Response } from "../../src/data/index.ts";
import { StoreError } from "../../src/errors.ts";
import type { MessageStore } from "../../src/components/message-stores/types.ts";

export function message(kind: MessageKind, createdOn: string | Date, content = `{"kind":"${kind}"}`): Message {
  return { id: crypto.randomUUID(), kind, content, created_on: new Date(createdOn) };
}

export function response(m: Message, status: Response["status"], receivedOn: Date, content: string | null = null): Response {
  return { message_id: m.id, status, content, received_on: receivedOn };
}

const T0 = new Date("2024-05-01T12:00:00.000Z");
const later = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export function messageStoreContract(name: string, makeStore: () => { store: MessageStore; cleanup: () => void }): void {
  describe(`${name} (MessageStore contract)`, () => {
    let current: { store: MessageStore; cleanup: () => void } | null = null;
    const open = (): MessageStore => {
      current = makeStore();
      return current.store;
    };
    afterEach(() => {
      current?.cleanup();
      current = null;
    });

    test("a stored message comes back unsent with its kind, content and time", () => {
      const store = open();
      const m = message("detection", "2024-05-01T11:59:59.123Z", '{"é":"ü 🐦"}');
      store.storeMessage(m);
      store.storeMessage(m);
      expect(store.getUnsentMessages({ now: T0 })).toEqual([m]);
      expect(store.stats()).toEqual({ pending: 1, delivered: 0, failed: 0, dropped: { heartbeat: 0, summary: 0, detection: 0 } });
    });

    test("unsent messages come oldest first or newest first, up to the limit", () => {
      const store = open();
      const a = message("heartbeat", "2024-05-01T10:00:00Z");
      const b = message("summary", "2024-05-01T11:00:00Z");
      const c = message("detection", "2024-05-01T11:00:00Z");
      for (const m of [b, c, a]) store.storeMessage(m);
      expect(store.getUnsentMessages({ now: T0 }).map((m) => m.id)).toEqual([a.id, b.id, c.id]);
      expect(store.getUnsentMessages({ now: T0, order: "newest_first" }).map((m) => m.id)).toEqual([c.id, b.id, a.id]);
      expect(store.getUnsentMessages({ now: T0, limit: 2 }).map((m) => m.id)).toEqual([a.id, b.id]);
    });

    test("a successful response marks the message delivered and it is not sent again", () => {
      const store = open();
      const m = message("detection", T0);
      store.storeMessage(m);
      store.storeResponse(response(m, ResponseStatus.SUCCESS, later(1)));
      expect(store.getUnsentMessages({ now: later(10_000_000) })).toEqual([]);
      expect(store.stats().delivered).toBe(1);
      expect(store.stats().pending).toBe(0);
    });

    test("a failed response keeps the message pending but not due until its backoff has passed", () => {
      const store = open();
      const m = message("detection", T0);
      store.storeMessage(m);
      store.storeResponse(response(m, ResponseStatus.ERROR, later(0), "HTTP 503"));
      expect(store.getUnsentMessages({ now: later(0) })).toEqual([]);
      expect(store.getUnsentMessages({ now: later(7 * 24 * 3600) })).toEqual([m]);
      expect(store.stats().pending).toBe(1);
    });

    test("a permanent failure marks the message failed and it is never retried", () => {
      const store = open();
      const m = message("summary", T0);
      store.storeMessage(m);
      store.storeResponse(response(m, ResponseStatus.ERROR, later(0), "HTTP 400"), { permanent: true });
      expect(store.getUnsentMessages({ now: later(365 * 24 * 3600) })).toEqual([]);
      expect(store.stats()).toMatchObject({ pending: 0, failed: 1, delivered: 0 });
      store.storeResponse(response(m, ResponseStatus.TIMEOUT, later(5)));
      expect(store.getUnsentMessages({ now: later(365 * 24 * 3600) })).toEqual([]);
      expect(store.stats()).toMatchObject({ pending: 0, failed: 1 });
    });

    test("a late failure does not undo a confirmed delivery", () => {
      const store = open();
      const m = message("detection", T0);
      store.storeMessage(m);
      store.storeResponse(response(m, ResponseStatus.SUCCESS, later(1)));
      store.storeResponse(response(m, ResponseStatus.TIMEOUT, later(2)));
      expect(store.stats()).toMatchObject({ pending: 0, delivered: 1 });
    });

    test("a response to an unknown message throws a StoreError", () => {
      const store = open();
      expect(() => store.storeResponse(response(message("detection", T0), ResponseStatus.SUCCESS, T0))).toThrow(StoreError);
    });

    test("pruning removes old delivered messages and never drops pending ones under the ceiling", () => {
      const store = open();
      const sent = message("detection", T0);
      const waiting = message("heartbeat", T0);
      store.storeMessage(sent);
      store.storeMessage(waiting);
      store.storeResponse(response(sent, ResponseStatus.SUCCESS, T0));
      const result = store.prune(later(400 * 24 * 3600));
      expect(result).toEqual({ delivered: 1, dropped: { heartbeat: 0, summary: 0, detection: 0 } });
      expect(store.stats()).toMatchObject({ pending: 1, delivered: 0 });
      expect(store.getUnsentMessages({ now: later(400 * 24 * 3600) })).toEqual([waiting]);
    });
  });
}
