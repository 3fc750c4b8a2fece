/**
 * @module SqliteMessageStore on real temp files: the MessageStore contract, plus the outbox's
 * own promises (WAL and schema version, reopening, backoff, retention, the ceiling's drop order
 * and its persisted counters read from another process).
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { createConsola, type LogObject } from "consola";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readOutboxStats } from "../../../src/components/message-stores/read-outbox-stats.ts";
import { SqliteMessageStore, type SqliteMessageStoreConfig } from "../../../src/components/message-stores/sqlite-message-store.ts";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { ResponseStatus } from "../../../src/data/index.ts";
import { message, messageStoreContract, response } from "../../contracts/message-store.contract.ts";

const dir = mkdtempSync(join(tmpdir(), "acoupi-outbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `messages-${++n}.db`);

messageStoreContract("SqliteMessageStore", () => {
  const store = new SqliteMessageStore({ messages_db: freshPath() });
  return { store, cleanup: () => store.close() };
});

messageStoreContract("SqliteMessageStore attached to a SqliteStore's connection", () => {
  const metadata = new SqliteStore({ db_metadata: freshPath() });
  const store = new SqliteMessageStore({ messages_db: freshPath() }, { connection: metadata.connection });
  return {
    store,
    cleanup: () => {
      store.close();
      metadata.close();
    },
  };
});

const T0 = new Date("2024-05-01T12:00:00.000Z");
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const DAY = 24 * 3600;

function quietLogger(lines: string[] = []): ReturnType<typeof createConsola> {
  return createConsola({ level: 5, reporters: [{ log: (entry: LogObject) => void lines.push(entry.args.join(" ")) }] });
}

function open(config: Partial<SqliteMessageStoreConfig> = {}, lines: string[] = []): { store: SqliteMessageStore; path: string } {
  const path = freshPath();
  const store = new SqliteMessageStore({ messages_db: path, ...config }, { random: () => 0, logger: quietLogger(lines) });
  return { store, path };
}

describe("SqliteMessageStore", () => {
  test("SqliteMessageStore opens its file in WAL mode with the schema version set, and reopening keeps the messages", () => {
    const { store, path } = open();
    const m = message("summary", T0);
    store.storeMessage(m);
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: 1 });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
    const again = new SqliteMessageStore({ messages_db: path });
    expect(again.getUnsentMessages({ now: T0 })).toEqual([m]);
    again.close();
  });

  test("the retry delay doubles from backoff_base_s after each failure and stops at backoff_cap_s", () => {
    const { store } = open({ backoff_base_s: 5, backoff_cap_s: 60 });
    const m = message("detection", T0);
    store.storeMessage(m);
    let t = 0;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      store.storeResponse(response(m, ResponseStatus.TIMEOUT, at(t), "timed out"));
      let wait = 1;
      while (store.getUnsentMessages({ now: at(t + wait) }).length === 0) wait++;
      expect(store.getUnsentMessages({ now: at(t + wait - 0.001) })).toEqual([]);
      waits.push(wait);
      t += wait;
    }
    expect(waits).toEqual([5, 10, 20, 40, 60, 60]);
    store.close();
  });

  test("jitter only shortens a retry delay, by at most a tenth", () => {
    const path = freshPath();
    const store = new SqliteMessageStore({ messages_db: path, backoff_base_s: 5, backoff_cap_s: 60 }, { random: () => 0.999 });
    expect(store.backoffSeconds(1)).toBeGreaterThan(4.5);
    expect(store.backoffSeconds(1)).toBeLessThanOrEqual(5);
    expect(store.backoffSeconds(30)).toBeLessThanOrEqual(60);
    expect(store.backoffSeconds(30)).toBeGreaterThan(54);
    store.close();
  });

  test("a permanent failure is kept as failed with its error and attempt count, and never retried", () => {
    const { store, path } = open();
    const m = message("detection", T0);
    store.storeMessage(m);
    store.storeResponse(response(m, ResponseStatus.ERROR, at(1), "HTTP 422: bad payload"), { permanent: true });
    expect(store.getUnsentMessages({ now: at(30 * DAY) })).toEqual([]);
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT status, attempts, last_error FROM messages").get()).toEqual({
      status: "failed",
      attempts: 1,
      last_error: "HTTP 422: bad payload",
    });
    expect(db.query("SELECT status, content FROM responses").get()).toEqual({ status: 2, content: "HTTP 422: bad payload" });
    db.close();
  });

  test("a response's content and the last error are kept to their first 4 KB, and only the latest 3 responses of a message", () => {
    const { store, path } = open();
    const m = message("detection", T0);
    store.storeMessage(m);
    for (let i = 1; i <= 6; i++) store.storeResponse(response(m, ResponseStatus.ERROR, at(i * 60), `${i}:${"ü".repeat(1_000_000)}`));
    store.close();
    const db = new Database(path, { readonly: true });
    const rows = db.query<{ content: string }, []>("SELECT content FROM responses ORDER BY id").all();
    const last = db.query<{ last_error: string; attempts: number }, []>("SELECT last_error, attempts FROM messages").get();
    db.close();
    expect(rows.map((r) => r.content.split(":")[0])).toEqual(["4", "5", "6"]);
    for (const row of rows) expect(Buffer.byteLength(row.content)).toBeLessThanOrEqual(4096);
    expect(rows[0]?.content.endsWith("ü")).toBe(true);
    expect(last?.attempts).toBe(6);
    expect(Buffer.byteLength(last?.last_error ?? "")).toBeLessThanOrEqual(4096);
  });

  test("response bytes count towards max_bytes, so delivered rows with large answers are pruned first", () => {
    const { store } = open({ max_bytes: 20_000 });
    const old = Array.from({ length: 8 }, (_, i) => message("detection", at(i)));
    for (const m of old) {
      store.storeMessage(m);
      store.storeResponse(response(m, ResponseStatus.SUCCESS, at(100), "y".repeat(4096)));
    }
    const fresh = message("detection", at(200));
    store.storeMessage(fresh);
    const result = store.prune(at(300));
    expect(result.delivered).toBeGreaterThanOrEqual(4);
    expect(result.dropped.detection).toBe(0);
    expect(store.stats().pending).toBe(1);
    store.close();
  });

  test("list shows undelivered messages without content, and retryFailed re-queues the failed ones due now", () => {
    const { store } = open();
    const [a, b, c] = [message("detection", T0), message("summary", at(1)), message("heartbeat", at(2))];
    for (const m of [a, b, c]) store.storeMessage(m);
    store.storeResponse(response(a, ResponseStatus.ERROR, at(10), "HTTP 422"), { permanent: true });
    store.storeResponse(response(c, ResponseStatus.SUCCESS, at(10)));
    expect(store.list().map((e) => [e.id, e.status, e.attempts])).toEqual([[a.id, "failed", 1], [b.id, "pending", 0]]);
    expect(store.list({ status: "failed" })[0]).toMatchObject({ id: a.id, kind: "detection", last_error: "HTTP 422" });
    expect(store.retryFailed({ ids: [b.id], now: at(20) })).toBe(0);
    expect(store.retryFailed({ now: at(20) })).toBe(1);
    expect(store.getUnsentMessages({ now: at(20) }).map((m) => m.id)).toEqual([a.id, b.id]);
    store.close();
  });

  test("delivered messages are pruned once retention_days have passed since delivery", () => {
    const { store } = open({ retention_days: 7 });
    const m = message("heartbeat", T0);
    store.storeMessage(m);
    store.storeResponse(response(m, ResponseStatus.SUCCESS, at(DAY)));
    expect(store.prune(at(7 * DAY)).delivered).toBe(0);
    expect(store.stats().delivered).toBe(1);
    expect(store.prune(at(8 * DAY + 1)).delivered).toBe(1);
    expect(store.stats().delivered).toBe(0);
    store.close();
  });

  test("over max_rows the outbox drops delivered rows, then heartbeats, then summaries, then detections, and counts each drop", () => {
    const lines: string[] = [];
    const { store, path } = open({ max_rows: 5 }, lines);
    const kinds = ["heartbeat", "summary", "detection"] as const;
    const byKind = Object.fromEntries(kinds.map((k) => [k, [0, 1, 2].map((i) => message(k, at(i)))]));
    for (const k of kinds) for (const m of byKind[k] ?? []) store.storeMessage(m);
    const delivered = message("detection", at(-10));
    store.storeMessage(delivered);
    store.storeResponse(response(delivered, ResponseStatus.SUCCESS, at(0)));

    expect(store.prune(at(60))).toEqual({ delivered: 1, dropped: { heartbeat: 3, summary: 1, detection: 0 } });
    const left = store.getUnsentMessages({ now: at(60) }).map((m) => m.id);
    const summaries = byKind.summary ?? [];
    const kept = [summaries[1]?.id ?? "", summaries[2]?.id ?? "", ...(byKind.detection ?? []).map((m) => m.id)];
    expect(left.toSorted()).toEqual(kept.toSorted());
    expect(lines.some((l) => l.includes("Dropped 3 undelivered heartbeat messages"))).toBe(true);
    expect(lines.some((l) => l.includes("Dropped 1 undelivered summary messages"))).toBe(true);

    store.storeMessage(message("detection", at(100)));
    expect(store.prune(at(120)).dropped).toEqual({ heartbeat: 0, summary: 1, detection: 0 });
    expect(store.stats().dropped).toEqual({ heartbeat: 3, summary: 2, detection: 0 });
    store.close();
    expect(readOutboxStats(path)).toEqual({ pending: 5, delivered: 0, failed: 0, dropped: { heartbeat: 3, summary: 2, detection: 0 } });
  });

  test("over max_bytes the outbox drops the oldest detections when only detections are left", () => {
    const { store } = open({ max_bytes: 1000 });
    const ms = [0, 1, 2, 3].map((i) => message("detection", at(i), "x".repeat(300)));
    for (const m of ms) store.storeMessage(m);
    expect(store.prune(at(10)).dropped).toEqual({ heartbeat: 0, summary: 0, detection: 1 });
    expect(store.getUnsentMessages({ now: at(10) }).map((m) => m.id)).toEqual(ms.slice(1).map((m) => m.id));
    store.close();
  });

  test("within a kind, failed messages are dropped before pending ones", () => {
    const { store } = open({ max_rows: 2 });
    const pendingOld = message("detection", at(0));
    const failedNew = message("detection", at(5));
    const pendingNew = message("detection", at(6));
    for (const m of [pendingOld, failedNew, pendingNew]) store.storeMessage(m);
    store.storeResponse(response(failedNew, ResponseStatus.ERROR, at(7), "HTTP 400"), { permanent: true });
    store.prune(at(10));
    expect(store.stats()).toMatchObject({ pending: 2, failed: 0 });
    store.close();
  });

  test("undelivered messages older than max_age_days are dropped and counted by kind", () => {
    const { store } = open({ max_age_days: 2 });
    store.storeMessage(message("heartbeat", at(0)));
    store.storeMessage(message("detection", at(0)));
    const fresh = message("detection", at(2 * DAY));
    store.storeMessage(fresh);
    expect(store.prune(at(3 * DAY)).dropped).toEqual({ heartbeat: 1, summary: 0, detection: 1 });
    expect(store.getUnsentMessages({ now: at(3 * DAY) })).toEqual([fresh]);
    store.close();
  });

  test("another process reads the outbox statistics while the store is open", () => {
    const { store, path } = open();
    store.storeMessage(message("heartbeat", T0));
    const sent = message("detection", T0);
    store.storeMessage(sent);
    store.storeResponse(response(sent, ResponseStatus.SUCCESS, T0));
    const module = join(import.meta.dir, "../../../src/components/message-stores/read-outbox-stats.ts");
    const script = `const { readOutboxStats } = await import(${JSON.stringify(module)}); console.log(JSON.stringify(readOutboxStats(${JSON.stringify(path)})));`;
    const child = Bun.spawnSync([process.execPath, "-e", script], { env: { ...process.env, NO_COLOR: "1" } });
    expect(child.stderr.toString()).toBe("");
    expect(JSON.parse(child.stdout.toString())).toEqual({ pending: 1, delivered: 1, failed: 0, dropped: { heartbeat: 0, summary: 0, detection: 0 } });
    store.close();
  });

  test("reading the statistics of an outbox that does not exist yet gives null", () => {
    expect(readOutboxStats(join(dir, "absent.db"))).toBeNull();
  });
});
