/** @module File managers, re-exported: by date, by id, and by detection confidence. */
export * from "./date-file-manager.ts";
export * from "./id-file-manager.ts";
export * from "./save-recording-manager.ts";
export type * from "./types.ts";
