/**
 * @module What a hostile HTTP endpoint costs the outbox: N messages are sent through
 * HttpMessenger and `send_messages_task` to a Bun.serve endpoint on 127.0.0.1 that answers every
 * POST with an 8 MB body, and the run prints the size of messages.db (with its WAL) before and
 * after, the bytes kept in the responses table, the process's peak RSS and the wall time.
 * Figures only, no assertions. Run: ./node_modules/.bin/bun bench/http-large-answers.ts [N]
 */
import { Database } from "bun:sqlite";
import { createConsola } from "consola";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../src/components/message-stores/sqlite-message-store.ts";
import { HttpConfigSchema, HttpMessenger } from "../src/components/messengers/http-messenger.ts";
import { createMessage } from "../src/data/index.ts";
import { sendMessagesTask } from "../src/tasks/send-messages.ts";

const n = Number(process.argv[2] ?? 21);
const body = "x".repeat(8 * 1024 * 1024);
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async (r) => (await r.text(), new Response(body)) });
const dir = mkdtempSync(join(tmpdir(), "acoupi-bench-http-"));
const path = join(dir, "messages.db");
const size = (): number => [path, `${path}-wal`].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0);
const outbox = new SqliteMessageStore({ messages_db: path }, { logger: createConsola({ level: 0 }) });
for (let i = 0; i < n; i++) outbox.storeMessage(createMessage("detection", JSON.stringify({ i, pad: "y".repeat(900) })));
const before = size();
const messenger = new HttpMessenger(HttpConfigSchema.parse({ base_url: `http://127.0.0.1:${server.port}/in` }));
const started = performance.now();
const result = await sendMessagesTask({ outbox, messengers: messenger, logger: createConsola({ level: 0 }) }).run();
const seconds = (performance.now() - started) / 1000;
outbox.close();
const db = new Database(path, { readonly: true });
const kept = db.query<{ bytes: number | null }, []>("SELECT sum(length(CAST(content AS BLOB))) AS bytes FROM responses").get()?.bytes ?? 0;
db.close();
console.log(`messages sent:            ${result.delivered} of ${n}, each answered with 8 MB`);
console.log(`messages.db before/after: ${(before / 1024).toFixed(0)} KiB / ${(size() / 1024).toFixed(0)} KiB`);
console.log(`response bytes kept:      ${kept} (${(kept / Math.max(1, result.delivered)).toFixed(0)} per message)`);
console.log(`peak RSS:                 ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
console.log(`wall time:                ${seconds.toFixed(2)} s`);
await server.stop(true);
rmSync(dir, { recursive: true, force: true });
