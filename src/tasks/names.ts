/**
 * @module The names of the built-in tasks, as constants: templates register them, callbacks
 * chain on them (`schedule: { after: RECORDING_TASK }`), heartbeats watch them and the CLI runs
 * them by name, so a rename is one edit and a typo is a type error.
 */
export const RECORDING_TASK = "recording_task";
export const FILE_MANAGEMENT_TASK = "file_management_task";
export const DETECTION_TASK = "detection_task";
export const SEND_MESSAGES_TASK = "send_messages_task";
export const HEARTBEAT_TASK = "heartbeat_task";
export const SUMMARY_TASK = "summary_task";
export const HOMEASSISTANT_TASK = "homeassistant_task";
export const RETENTION_TASK = "retention_task";
export const PRIVACY_TASK = "privacy_task";
export const UPLOAD_TASK = "upload_task";
