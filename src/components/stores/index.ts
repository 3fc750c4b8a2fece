/**
 * @module Stores, the program API's `stores`: the SQLite metadata store, the log of what species
 * rules dropped, and the schemas of the `storage` (retention) section and of the store.
 */
export { StorageConfigSchema } from "../retention/retention-policy.ts";
export { SqliteDecisionLog } from "./decision-log.ts";
export { SqliteStore, SqliteStoreConfigSchema } from "./sqlite-store.ts";
export type { Store } from "./types.ts";
