/** @module Message builders, the program API's `messageBuilders`: detections over a threshold, or the whole model output. */
export { detectionThresholdMessage } from "./detection-threshold-message.ts";
export { fullModelOutputMessage } from "./full-model-output-message.ts";
export type { MessageBuilder } from "./types.ts";
