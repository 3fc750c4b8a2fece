/**
 * @module Messengers, the program API's `messengers`: MQTT and HTTP, and the schemas of their
 * sections and of Home Assistant discovery (which the messaging template wires). Importing this
 * loads no MQTT client: a messenger loads it when it connects.
 */
export { HomeAssistantConfigSchema } from "./home-assistant-config.ts";
export { HttpConfigSchema, HttpMessenger } from "./http-messenger.ts";
export { MqttConfigSchema, MqttMessenger } from "./mqtt-messenger.ts";
export type { Messenger } from "./types.ts";
