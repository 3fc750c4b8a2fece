/**
 * @module The configured program's outbox for the `outbox` commands: the file named by
 * `messaging.messages_db`, opened beside a runner that may be writing it (WAL lets both in).
 * A program without messaging has no outbox, which is a ConfigError naming the key.
 */
import { existsSync } from "node:fs";
import { SqliteMessageStore } from "../../../components/message-stores/sqlite-message-store.ts";
import { ConfigError } from "../../../errors.ts";
import { loadConfigured } from "../../../app/load-program.ts";
import { programSections } from "../../../programs/program-sections.ts";

/** The outbox of the configured program, or null when its file does not exist yet (nothing stored). */
export async function openConfiguredOutbox(): Promise<{ outbox: SqliteMessageStore | null; path: string }> {
  const { config, programName } = await loadConfigured();
  const messaging = programSections(config, { program: programName }).messaging;
  if (messaging === undefined) {
    throw new ConfigError(`Program "${programName}" has no outbox: its config has no messaging.messages_db`, {
      key: "messaging.messages_db",
      help: "Only programs that send messages keep an outbox; run `acoupi setup --program connected` for one",
    });
  }
  const path = messaging.messages_db;
  return { outbox: existsSync(path) ? new SqliteMessageStore({ messages_db: path }) : null, path };
}
