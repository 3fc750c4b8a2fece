/**
 * @module MQTT topic names, checked before use. A device id becomes a topic level, so one with
 * a wildcard (`+`, `#`), a `/` or a control character would make every topic invalid or split
 * the device in two: such a topic is a ConfigError naming the key, raised when the messenger is
 * made (at setup and at every start), never a silent stream of failed publishes. The
 * availability topic is off unless set or needed by Home Assistant: an acoupi dashboard that
 * subscribes to `#` takes every topic under `acoupi/` for a device of its own, and rejects
 * plain-text payloads, so `acoupi/<device>/status` would be a phantom device.
 */
import { ConfigError } from "../../errors.ts";
import { deviceIdProblem } from "../../system/device-id.ts";

/** Where Home Assistant's availability goes when discovery is on and no topic is set. */
export const HA_AVAILABILITY_TOPIC = "acoupi-ha/{device_id}/availability";
/** MQTT 3.1.1 limits a topic to 65535 UTF-8 bytes. */
const MAX_TOPIC_BYTES = 65_535;
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws ConfigError unless `topic` is a valid topic to publish on. */
export function checkPublishTopic(topic: string, key: string): void {
  let problem: string | null = null;
  if (topic === "") problem = "it is empty";
  else if (/[+#]/.test(topic)) problem = "it contains an MQTT wildcard (+ or #), which only subscriptions may use";
  else if (CONTROL_RE.test(topic)) problem = "it contains a control character";
  else if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) problem = "it is longer than MQTT allows";
  if (problem !== null) {
    throw new ConfigError(`Cannot publish on MQTT topic ${JSON.stringify(topic)} (${key}): ${problem}`, {
      key,
      help: `Set ${key} to a topic without +, # or control characters, and check the device id it is made from`,
    });
  }
}

/** Fills `{device_id}` in a topic template, refusing a device id that cannot be one topic level. */
export function fillTopic(template: string, deviceId: string, key: string): string {
  if (template.includes("{device_id}")) {
    const problem = deviceIdProblem(deviceId);
    if (problem !== null) {
      throw new ConfigError(`The device id ${JSON.stringify(deviceId)} cannot be used in MQTT topic ${key}: ${problem}`, {
        key,
        help: "Set a device id of letters, digits, - and _ with `acoupi setup --device-id <id>` (or ACOUPI_DEVICE_ID)",
      });
    }
  }
  const topic = template.replaceAll("{device_id}", deviceId);
  checkPublishTopic(topic, key);
  return topic;
}

/** The availability topic: the configured one, Home Assistant's when discovery is on, else none. */
export function availabilityTopic(
  config: { availability_topic: string | null; homeassistant: { enabled: boolean } | null },
  deviceId: string,
): string | null {
  const template = config.availability_topic ?? (config.homeassistant?.enabled === true ? HA_AVAILABILITY_TOPIC : null);
  return template === null ? null : fillTopic(template, deviceId, "messaging.mqtt.availability_topic");
}
