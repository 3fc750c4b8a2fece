/** @module Message stores, the program API's `messageStores`: the SQLite outbox and its schema. */
export { SqliteMessageStore, SqliteMessageStoreConfigSchema } from "./sqlite-message-store.ts";
export type { MessageStore } from "./types.ts";
