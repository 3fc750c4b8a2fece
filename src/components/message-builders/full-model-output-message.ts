/**
 * @module fullModelOutputMessage: acoupi's FullModelOutputMessageBuilder. Every model output
 * becomes a "detection" message with its whole JSON, even when it has no detections.
 */
import { createMessage, modelOutputJson, type Message, type ModelOutput } from "../../data/index.ts";
import type { MessageBuilder } from "./types.ts";

/** Typed to never return null; it is still a MessageBuilder. */
export function fullModelOutputMessage(): (output: ModelOutput) => Message {
  const build = (output: ModelOutput): Message => createMessage("detection", modelOutputJson(output));
  return build satisfies MessageBuilder;
}
