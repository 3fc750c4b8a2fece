/**
 * @module File managers, the program API's `fileManagers`: filing by date, by id, and by detection
 * confidence (`saveRecordingManager`), and the schema of the `saving_managers` section.
 */
export { dateFileManager } from "./date-file-manager.ts";
export { idFileManager } from "./id-file-manager.ts";
export { SavingManagersSchema, saveRecordingManager } from "./save-recording-manager.ts";
export type * from "./types.ts";
