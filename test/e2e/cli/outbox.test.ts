/**
 * @module `acoupi outbox` and `acoupi outbox retry`, run as the real command against a temp home
 * whose outbox file is written by a real SqliteMessageStore.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SqliteMessageStore } from "../../../src/components/message-stores/sqlite-message-store.ts";
import { createMessage, ResponseStatus } from "../../../src/data/index.ts";
import { makeTempHome, runAcoupi } from "../../helpers/cli.ts";

describe("acoupi outbox", () => {
  const home = makeTempHome();
  afterAll(() => home.cleanup());

  test("lists pending and failed messages with their last error, and retry re-queues the failed ones", () => {
    const setup = runAcoupi(
      ["setup", "--program", "connected", "--no-prompt", "--messaging.http.base_url", "http://127.0.0.1:1/in"],
      home.env,
    );
    expect(setup.code).toBe(0);
    expect(runAcoupi(["outbox"], home.env).stdout).toContain("0 pending, 0 failed");

    const config = JSON.parse(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8"));
    // Paths under the home are stored relative to it.
    const outbox = new SqliteMessageStore({ messages_db: resolve(home.acoupiHome, config.messaging.messages_db) });
    const refused = createMessage("detection", '{"n":1}');
    const waiting = createMessage("heartbeat", '{"n":2}');
    outbox.storeMessage(refused);
    outbox.storeMessage(waiting);
    outbox.storeResponse(
      { message_id: refused.id, status: ResponseStatus.ERROR, content: "HTTP endpoint answered 422 Unprocessable Entity", received_on: new Date() },
      { permanent: true },
    );
    outbox.close();

    const list = runAcoupi(["outbox"], home.env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("1 pending, 1 failed");
    expect(list.stdout).toContain(`${refused.id}  failed`);
    expect(list.stdout).toContain(`${waiting.id}  pending`);
    expect(list.stdout).toContain("last error: HTTP endpoint answered 422");
    expect(list.stdout).toContain("acoupi outbox retry");

    const failed = JSON.parse(runAcoupi(["outbox", "list", "--failed", "--json"], home.env).stdout);
    expect(failed.messages.map((m: { id: string }) => m.id)).toEqual([refused.id]);

    const retry = runAcoupi(["outbox", "retry"], home.env);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain("Re-queued 1 failed message");
    expect(runAcoupi(["outbox"], home.env).stdout).toContain("2 pending, 0 failed");
  });

  test("a program without messaging says it has no outbox, naming the key", () => {
    const other = makeTempHome();
    try {
      expect(runAcoupi(["setup", "--program", "default", "--no-prompt"], other.env).code).toBe(0);
      const result = runAcoupi(["outbox"], other.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("messaging.messages_db");
    } finally {
      other.cleanup();
    }
  });
});
