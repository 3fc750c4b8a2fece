/**
 * @module detectionThresholdMessage: acoupi's DetectionThresholdMessageBuilder. It keeps the
 * detections scoring at least the threshold that carry at least one tag (the tags themselves are
 * not filtered), and builds a "detection" message whose content is the ModelOutput JSON, or
 * returns null when nothing is left. Unlike acoupi the JSON keeps the output's id.
 */
import { createMessage, modelOutputJson, type Message, type ModelOutput } from "../../data/index.ts";
import type { MessageBuilder } from "./types.ts";

export function detectionThresholdMessage(threshold: number): MessageBuilder {
  return (output: ModelOutput): Message | null => {
    const detections = output.detections.filter((d) => d.detection_score >= threshold && d.tags.length > 0);
    if (detections.length === 0) return null;
    return createMessage("detection", modelOutputJson({ ...output, detections }));
  };
}
