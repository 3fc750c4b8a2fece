/** @module The records that flow between parts, re-exported for convenience. */
export * from "./deployment.ts";
export * from "./heartbeat.ts";
export * from "./json.ts";
export * from "./message.ts";
export * from "./model-output.ts";
export * from "./recording.ts";
export * from "./utc-date.ts";
export * from "./component-status.ts";
export * from "./check-report.ts";
export * from "./species-label.ts";
