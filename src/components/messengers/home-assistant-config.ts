/**
 * @module The `messaging.mqtt.homeassistant` section: Home Assistant MQTT discovery, off unless
 * enabled. Its own file so that the MQTT config schema can hold it without loading the discovery
 * publisher (home-assistant-discovery.ts).
 */
import { z } from "zod";

const noWildcards = (t: string) => !/[+#]/.test(t);

export const HomeAssistantConfigSchema = z.object({
  enabled: z.boolean().default(false).describe("Publish Home Assistant MQTT discovery configs, so the sensor appears in Home Assistant"),
  discovery_prefix: z
    .string()
    .min(1)
    .refine(noWildcards, { message: "the prefix must not contain the wildcards + or #" })
    .default("homeassistant")
    .describe("Home Assistant's discovery prefix (its MQTT integration setting)"),
  state_topic: z
    .string()
    .min(1)
    .refine(noWildcards, { message: "the topic must not contain the wildcards + or #" })
    .default("acoupi-ha/{device_id}/state")
    .describe("Topic the sensor publishes its state to (a retained JSON object); {device_id} is the device id"),
  state_interval: z.number().int().positive().max(86_400).default(300).describe("Seconds between two state updates"),
});
export type HomeAssistantConfig = z.output<typeof HomeAssistantConfigSchema>;
