/**
 * @module Issue 27: "Each MQTT reconnect error wraps the previous one ("MQTT connection to ws://…
 * failed: MQTT connection to ws://… failed: …"), so `last_error`, the log lines and the stored
 * answers grow about 50 bytes a second for as long as an outage lasts. Each is bounded and says
 * once what failed." A real MqttMessenger over websockets keeps trying a loopback HTTP server that
 * refuses the upgrade (a broker behind a proxy that is down); through the real send task and a
 * real outbox, the error it reports, its status and the stored answer must stay the same size
 * from one attempt to the next, and name the broker once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { SqliteMessageStore } from "../../../src/components/message-stores/sqlite-message-store.ts";
import { MqttConfigSchema, MqttMessenger } from "../../../src/components/messengers/mqtt-messenger.ts";
import { createMessage } from "../../../src/data/index.ts";
import { sendMessagesTask } from "../../../src/tasks/send-messages.ts";
import { createConsola } from "consola";

/** Reconnect base of the messengers here (1 s on a sensor): the reconnects these tests wait for come sooner. */
const RECONNECT_MS = 100;

describe("an MQTT outage over websockets", () => {
  let dir: string;
  let server: Server<undefined>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acoupi-mqtt-bounds-"));
    server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("bad gateway", { status: 502 }) });
  });
  afterAll(() => {
    server.stop(true);
    rmSync(dir, { recursive: true, force: true });
  });

  test("each reconnect error says once what failed: last_error, the send error and the stored answer stay bounded", async () => {
    const config = MqttConfigSchema.parse({ host: "127.0.0.1", port: server.port, transport: "ws", path: "/mqtt", timeout: 1 });
    const messenger = new MqttMessenger(config, { deviceId: "bounded", reconnectBaseMs: RECONNECT_MS });
    const outbox = new SqliteMessageStore({ messages_db: join(dir, "messages.db"), backoff_base_s: 0.01, backoff_cap_s: 0.01 });
    const send = sendMessagesTask({ outbox, messengers: [messenger], logger: createConsola({ level: 0 }) });
    const message = createMessage("detection", "{}", new Date());
    outbox.storeMessage(message);
    const where = `ws://127.0.0.1:${server.port}/mqtt`;
    const seen: Array<{ lastError: string; sendError: string; stored: string }> = [];
    try {
      for (let attempt = 0; attempt < 6; attempt++) {
        await send.run();
        const lastError = String(messenger.status().figures?.last_error ?? "");
        const sendError = send.lastRun()?.lastError?.message ?? "";
        const db = new Database(join(dir, "messages.db"), { readonly: true });
        const stored = db.query<{ last_error: string | null }, [string]>("SELECT last_error FROM messages WHERE id = ?").get(message.id)?.last_error ?? "";
        db.close();
        seen.push({ lastError, sendError, stored });
        await Bun.sleep(3 * RECONNECT_MS); // a few reconnect attempts between sends
      }
    } finally {
      await messenger.close();
      outbox.close();
    }
    for (const s of seen) {
      expect(s.lastError).not.toBe("");
      for (const text of [s.lastError, s.sendError, s.stored]) {
        // The broker is named once, and nothing is wrapped in itself.
        expect(text.split(where).length - 1).toBeLessThanOrEqual(1);
        expect(text).not.toMatch(/failed: MQTT connection to/);
        expect(text.length).toBeLessThan(600);
      }
    }
    const lengths = seen.map((s) => s.lastError.length + s.sendError.length + s.stored.length);
    expect(Math.max(...lengths.slice(1))).toBeLessThanOrEqual(Math.max(lengths[0] ?? 0, lengths[1] ?? 0));
  }, 30_000);
});
