/**
 * @module The configured program's outbox for the `outbox` commands: the file named by
 * `messaging.messages_db`, opened beside a runner that may be writing it (WAL lets both in).
 * A program without messaging has no outbox, which is a ConfigError naming the key.
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import { SqliteMessageStore } from "../../../components/message-stores/sqlite-message-store.ts";
import { ConfigError } from "../../../errors.ts";
import { loadConfigured } from "../../../app/load-program.ts";

const WithOutbox = z.object({ messaging: z.object({ messages_db: z.string() }) });

/** The outbox of the configured program, or null when its file does not exist yet (nothing stored). */
export async function openConfiguredOutbox(): Promise<{ outbox: SqliteMessageStore | null; path: string }> {
  const { config, programName } = await loadConfigured();
  const parsed = WithOutbox.safeParse(config);
  if (!parsed.success) {
    throw new ConfigError(`Program "${programName}" has no outbox: its config has no messaging.messages_db`, {
      key: "messaging.messages_db",
      help: "Only programs that send messages keep an outbox; run `acoupi setup --program connected` for one",
    });
  }
  const path = parsed.data.messaging.messages_db;
  return { outbox: existsSync(path) ? new SqliteMessageStore({ messages_db: path }) : null, path };
}
