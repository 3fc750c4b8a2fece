/**
 * @module SqliteMessageStore: the outbox in SQLite. A message is pending until a SUCCESS
 * response marks it delivered; each other response counts an attempt and pushes
 * `next_attempt_at` back exponentially (base·2^(attempts-1), capped, minus up to 10 % jitter so
 * many sensors do not retry in step), or marks it failed when the caller says the failure is
 * permanent (an HTTP 400, 413, 415 or 422). A response's content and the last error are kept to
 * their first 4 KB, and only the latest few responses of a message are kept, so no answer a
 * server gives can grow the file past its ceiling (response bytes count towards `max_bytes`).
 * `prune` removes delivered rows after the retention period and enforces
 * the ceiling (see `_prune.ts`). Standalone it opens `messages_db` on its own connection; given
 * `deps.connection` (SqliteStore's `connection`) it attaches `messages_db` to it as `outbox`, so
 * `store.transaction(() => { store.storeModelOutputs(…); outbox.storeMessage(…) })` commits
 * both files together. With `recoverDamaged` (as a program opens it), a damaged file (SQLite cannot
 * read it) is moved aside byte for byte to `<file>.corrupt-<UTC time>`, named in the log and in
 * `status()`, and a fresh outbox is started: a runner under systemd must not crash-loop on it and
 * stop recording. Without it (the `outbox` commands) a damaged file is an error, left untouched.
 */
import type { Database } from "bun:sqlite";
import type { ConsolaInstance } from "consola";
import { resolve } from "node:path";
import { z } from "zod";
import { noPrompt } from "../../config/markers.ts";
import { ResponseStatus, type Message, type Response } from "../../data/index.ts";
import { homePath } from "../../config/types.ts";
import { StoreError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { attachSqlite, attachSqliteRecovering, damagedCopiesOf, openSqlite, openSqliteRecovering, type Synchronous } from "../../system/sqlite.ts";
import { sqlTime, storeCall } from "../../system/sqlite-helpers.ts";
import type { ComponentStatus } from "../../data/component-status.ts";
import { listEntries, requeueFailed, type OutboxEntry } from "./_admin.ts";
import { pruneOutbox } from "./_prune.ts";
import { assertOutboxSchema, OUTBOX_MIGRATIONS } from "./_schema.ts";
import { readStats } from "./read-outbox-stats.ts";
import type { MessageOrder, MessageStore, OutboxStats, PruneResult } from "./types.ts";

export const SqliteMessageStoreConfigSchema = z.object({
  messages_db: homePath("storages/messages.db").describe("Path of the SQLite file that holds the outbox (messages waiting to be sent)"),
  max_rows: z.number().int().positive().max(100_000_000).default(100_000).describe("Most messages the outbox keeps; over it the least valuable are dropped"),
  max_bytes: noPrompt(
    z
      .number()
      .int()
      .positive()
      .max(1024 ** 4)
      .default(100 * 1024 * 1024)
      .describe("Most bytes of message content the outbox keeps; over it the least valuable are dropped"),
  ),
  max_age_days: z
    .number()
    .positive()
    .max(36_500)
    .nullable()
    .default(null)
    .describe("Drop undelivered messages older than this many days (empty: keep them until sent)"),
  retention_days: z.number().nonnegative().max(36_500).default(7).describe("Days a delivered message is kept before it is deleted"),
  backoff_base_s: noPrompt(z.number().positive().max(86_400).default(5).describe("Seconds before the first retry of a failed send; doubles each attempt")),
  backoff_cap_s: noPrompt(z.number().positive().max(604_800).default(3600).describe("Longest wait between two retries of a message, in seconds")),
});
export type SqliteMessageStoreConfig = z.input<typeof SqliteMessageStoreConfigSchema>;
type Parsed = z.output<typeof SqliteMessageStoreConfigSchema>;

export interface SqliteMessageStoreDeps {
  /** A connection to attach the outbox to (SqliteStore's `connection`), for shared transactions. */
  connection?: Database;
  /** Random source for the backoff jitter; `() => 0` gives exact delays. */
  random?: () => number;
  logger?: ConsolaInstance;
  synchronous?: Synchronous;
  /** Move a damaged file aside and start a fresh outbox (what a running program wants); else throw. */
  recoverDamaged?: boolean;
}

const JITTER = 0.1;
/** Most bytes of a response's content (or of the last error) kept in the outbox. */
export const STORED_TEXT_LIMIT = 4096;
/** Responses kept per message: enough to show what the last attempts got. */
export const RESPONSES_KEPT = 3;

/** `text` cut to at most `limit` UTF-8 bytes, never inside a character. */
export function boundedText(text: string, limit = STORED_TEXT_LIMIT): string {
  if (text.length * 3 <= limit) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return text;
  return new TextDecoder().decode(bytes.subarray(0, limit), { stream: true });
}
const ATTACH_ALIAS = "outbox";

interface MessageRow {
  id: string;
  kind: Message["kind"];
  content: string;
  created_on: string;
}

export type { OutboxEntry } from "./_admin.ts";

export class SqliteMessageStore implements MessageStore {
  readonly #db: Database;
  readonly #s: string;
  readonly #attached: boolean;
  readonly #config: Parsed;
  readonly #random: () => number;
  readonly #log: ConsolaInstance;
  readonly #file: string;
  readonly #recoveredFrom: string | null;

  constructor(config: SqliteMessageStoreConfig, deps: SqliteMessageStoreDeps = {}) {
    this.#config = SqliteMessageStoreConfigSchema.parse(config);
    this.#random = deps.random ?? Math.random;
    this.#log = deps.logger ?? logger("outbox");
    const options = { label: "outbox", migrations: OUTBOX_MIGRATIONS, synchronous: deps.synchronous, recognise: (db: Database, schema: string, file: string) => assertOutboxSchema(db, file, schema) };
    const file = resolve(this.#config.messages_db);
    this.#file = file;
    let recovered: { movedTo: string | null; damage: string | null };
    const recover = deps.recoverDamaged === true;
    if (deps.connection === undefined) {
      const opened = recover ? openSqliteRecovering(file, options) : { db: openSqlite(file, options), movedTo: null, damage: null };
      recovered = opened;
      this.#db = opened.db;
      this.#s = "main";
      this.#attached = false;
    } else {
      assertNotMainFile(deps.connection, file);
      if (recover) recovered = attachSqliteRecovering(deps.connection, file, ATTACH_ALIAS, options);
      else {
        attachSqlite(deps.connection, file, ATTACH_ALIAS, options);
        recovered = { movedTo: null, damage: null };
      }
      this.#db = deps.connection;
      this.#s = ATTACH_ALIAS;
      this.#attached = true;
    }
    this.#recoveredFrom = recovered.movedTo;
    if (recovered.movedTo !== null) {
      this.#log.error(`${recovered.damage}; moved it to ${recovered.movedTo} and started a fresh outbox. Its undelivered messages stay in that file`);
    }
    try {
      assertOutboxSchema(this.#db, file, this.#s);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  storeMessage(message: Message): void {
    storeCall(`store message ${message.id}`, () => {
      const created = sqlTime(message.created_on);
      this.#db
        .query(
          `INSERT INTO ${this.#s}.messages (id, created_on, kind, content, size, next_attempt_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .run(message.id.toLowerCase(), created, message.kind, message.content, Buffer.byteLength(message.content), created);
    });
  }

  /**
   * Pending messages that are due. A due time more than `backoff_cap_s` ahead can only have been
   * set before the wall clock went back (NTP on a Pi without an RTC), so it counts as due now
   * rather than hours later.
   */
  getUnsentMessages(options: { limit?: number; order?: MessageOrder; now?: Date } = {}): Message[] {
    const direction = (options.order ?? "oldest_first") === "oldest_first" ? "ASC" : "DESC";
    const nowDate = options.now ?? new Date();
    const now = sqlTime(nowDate);
    const clockWentBack = sqlTime(new Date(nowDate.getTime() + this.#config.backoff_cap_s * 1000));
    const limit = options.limit ?? -1;
    return storeCall("read unsent messages", () =>
      this.#db
        .query<MessageRow, [string, string, number]>(
          `SELECT id, kind, content, created_on FROM ${this.#s}.messages
           WHERE status = 'pending' AND (next_attempt_at <= ? OR next_attempt_at > ?)
           ORDER BY created_on ${direction}, rowid ${direction} LIMIT ?`,
        )
        .all(now, clockWentBack, limit)
        .map((row) => ({ id: row.id, kind: row.kind, content: row.content, created_on: new Date(row.created_on) })),
    );
  }

  storeResponse(response: Response, options: { permanent?: boolean } = {}): void {
    const id = response.message_id.toLowerCase();
    storeCall(`store the response to message ${id}`, () =>
      this.#db.transaction(() => {
        const row = this.#db
          .query<{ attempts: number; status: string }, [string]>(`SELECT attempts, status FROM ${this.#s}.messages WHERE id = ?`)
          .get(id);
        if (row === null) {
          throw new StoreError(`Cannot store a response for message ${id}: it is not in the outbox`, {
            help: "The message may have been pruned; check the outbox limits (max_rows, max_bytes, max_age_days)",
          });
        }
        const received = sqlTime(response.received_on);
        const content = response.content === null ? null : boundedText(response.content);
        this.#db
          .query(`INSERT INTO ${this.#s}.responses (message_id, status, content, received_on) VALUES (?, ?, ?, ?)`)
          .run(id, response.status, content, received);
        this.#db
          .query(
            `DELETE FROM ${this.#s}.responses WHERE message_id = ? AND id NOT IN
             (SELECT id FROM ${this.#s}.responses WHERE message_id = ? ORDER BY id DESC LIMIT ${RESPONSES_KEPT})`,
          )
          .run(id, id);
        if (row.status === "delivered") return; // a late failure never undoes a confirmed delivery
        if (response.status === ResponseStatus.SUCCESS) {
          this.#db
            .query(`UPDATE ${this.#s}.messages SET status = 'delivered', delivered_on = ?, attempts = attempts + 1 WHERE id = ?`)
            .run(received, id);
          return;
        }
        const attempts = row.attempts + 1;
        // Failed is final: only a confirmed delivery (above) takes a message out of it.
        const status = options.permanent === true || row.status === "failed" ? "failed" : "pending";
        const next = new Date(response.received_on.getTime() + this.backoffSeconds(attempts) * 1000);
        this.#db
          .query(`UPDATE ${this.#s}.messages SET attempts = ?, status = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`)
          .run(attempts, status, sqlTime(next), content ?? `status ${response.status}`, id);
      })(),
    );
  }

  /** The wait after the `attempts`-th failed attempt: min(cap, base·2^(attempts-1)), minus jitter. */
  backoffSeconds(attempts: number): number {
    const { backoff_base_s: base, backoff_cap_s: cap } = this.#config;
    const nominal = Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
    return nominal * (1 - JITTER * this.#random());
  }

  prune(now: Date = new Date()): PruneResult {
    const limits = { ...this.#config };
    return storeCall("prune the outbox", () => this.#db.transaction(() => pruneOutbox(this.#db, this.#s, limits, now, this.#log))());
  }

  /**
   * Runs `fn` in one transaction on the outbox's connection (a savepoint inside an enclosing
   * one), e.g. to store a batch of messages or responses with one commit. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  /** The undelivered messages (without content), oldest first: what `acoupi outbox` lists. */
  list(options: { status?: "pending" | "failed"; limit?: number } = {}): OutboxEntry[] {
    return storeCall("list the outbox", () => listEntries(this.#db, this.#s, options));
  }

  /** Re-queues failed messages (all, or those in `ids`), due now; returns how many. */
  retryFailed(options: { ids?: readonly string[]; now?: Date } = {}): number {
    const now = options.now ?? new Date();
    return storeCall("re-queue failed messages", () => this.#db.transaction(() => requeueFailed(this.#db, this.#s, now, options.ids))());
  }

  /** Where the damaged file this outbox replaced at open was moved; null when it opened a sound one. */
  get recoveredFrom(): string | null {
    return this.#recoveredFrom;
  }

  /** Degraded while a damaged copy moved aside (by this start or an earlier one) lies beside the file. */
  status(): ComponentStatus {
    const damaged = damagedCopiesOf(this.#file);
    return {
      degraded: damaged.length > 0 ? `the outbox was damaged and replaced by a fresh one; the damaged file is ${damaged.at(-1)}` : null,
      figures: { damaged_files: damaged.length, damaged_file: damaged.at(-1) ?? null },
    };
  }

  stats(): OutboxStats {
    return storeCall("read outbox statistics", () => readStats(this.#db, this.#s));
  }

  close(): void {
    storeCall("close the outbox", () => {
      if (this.#attached) {
        this.#db.run(`DETACH DATABASE ${this.#s}`);
      } else {
        this.#db.run("PRAGMA optimize");
        this.#db.close();
      }
    });
  }
}

/** Same-file sharing would mix two schemas under one user_version: refuse it. */
function assertNotMainFile(db: Database, file: string): void {
  const main = db.query<{ name: string; file: string }, []>("PRAGMA database_list").all().find((d) => d.name === "main");
  if (main !== undefined && main.file !== "" && resolve(main.file) === file) {
    throw new StoreError(`Cannot put the outbox in "${file}": it is the metadata store's file`, {
      help: "Give messages_db its own file; it is still written in the same transaction as the metadata",
    });
  }
}
