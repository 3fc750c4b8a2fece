/**
 * @module Home Assistant MQTT discovery: one retained config per sensor under
 * `<prefix>/sensor/<node>/<object>/config`, all naming one device entry (the sensor) with the
 * availability topic, and one retained JSON state on the state topic that every sensor reads
 * with its own `value_template`. The task republishes the configs whenever the messenger has
 * (re)connected, since a broker without persistence forgets retained messages, and the state on
 * every run. The keys follow Home Assistant's documented MQTT sensor discovery options.
 */
import type { ConsolaInstance } from "consola";
import type { ComponentStatus } from "../../data/index.ts";
import { logger as makeLogger } from "../../log.ts";
import type { HomeAssistantConfig } from "./home-assistant-config.ts";
import { fillTopic } from "./_mqtt-topics.ts";

/** What the state topic carries; null where nothing is known yet. */
export interface HomeAssistantState {
  health: string;
  last_recording: string | null;
  recordings_today: number;
  detections_today: number;
  last_detection_label: string | null;
  last_detection_score: number | null;
  disk_free_mb: number | null;
  cpu_temperature: number | null;
  outbox_depth: number;
}

interface SensorSpec {
  key: keyof HomeAssistantState;
  name: string;
  icon: string;
  device_class?: string;
  unit_of_measurement?: string;
  state_class?: "measurement" | "total_increasing";
  entity_category?: "diagnostic";
  suggested_display_precision?: number;
}

export const HOME_ASSISTANT_SENSORS: readonly SensorSpec[] = [
  { key: "health", name: "Health", icon: "mdi:heart-pulse", entity_category: "diagnostic" },
  { key: "last_recording", name: "Last recording", icon: "mdi:microphone", device_class: "timestamp" },
  { key: "recordings_today", name: "Recordings today", icon: "mdi:file-music", state_class: "total_increasing" },
  { key: "detections_today", name: "Detections today", icon: "mdi:bird", state_class: "total_increasing" },
  { key: "last_detection_label", name: "Last detection", icon: "mdi:tag" },
  { key: "last_detection_score", name: "Last detection score", icon: "mdi:percent", state_class: "measurement", suggested_display_precision: 2 },
  {
    key: "disk_free_mb", name: "Disk free", icon: "mdi:harddisk", device_class: "data_size", unit_of_measurement: "MB",
    state_class: "measurement", entity_category: "diagnostic", suggested_display_precision: 0,
  },
  {
    key: "cpu_temperature", name: "CPU temperature", icon: "mdi:thermometer", device_class: "temperature", unit_of_measurement: "°C",
    state_class: "measurement", entity_category: "diagnostic", suggested_display_precision: 1,
  },
  { key: "outbox_depth", name: "Outbox depth", icon: "mdi:tray-full", state_class: "measurement", entity_category: "diagnostic" },
];

export interface DiscoveryIdentity {
  deviceId: string;
  availabilityTopic: string;
  version: string;
  program: string;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** A topic level Home Assistant accepts as node or object id: [a-zA-Z0-9_-] only. */
export function haId(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, "_");
}

/** The retained discovery configs, one per sensor, for `identity` under `config`'s prefix. */
export function discoveryMessages(config: HomeAssistantConfig, identity: DiscoveryIdentity): DiscoveryMessage[] {
  const node = `acoupi_${haId(identity.deviceId)}`;
  const stateTopic = fillTopic(config.state_topic, identity.deviceId, "messaging.mqtt.homeassistant.state_topic");
  const device = {
    identifiers: [node],
    name: `acoupi ${identity.deviceId}`,
    manufacturer: "acoupi",
    model: identity.program,
    sw_version: identity.version,
    serial_number: identity.deviceId,
  };
  return HOME_ASSISTANT_SENSORS.map((spec) => {
    const { key, ...options } = spec;
    const payload: Record<string, unknown> = {
      ...options,
      unique_id: `${node}_${key}`,
      state_topic: stateTopic,
      value_template: `{{ value_json.${key} }}`,
      availability_topic: identity.availabilityTopic,
      payload_available: "online",
      payload_not_available: "offline",
      device,
      origin: { name: "acoupi", sw_version: identity.version },
    };
    return { topic: fillTopic(`${config.discovery_prefix}/sensor/${node}/${key}/config`, identity.deviceId, "messaging.mqtt.homeassistant.discovery_prefix"), payload };
  });
}

/** What the task publishes through: the MQTT messenger's connection. */
export interface RetainedPublisher {
  readonly connections: number;
  publishRetained(topic: string, payload: string): Promise<void>;
}

export interface HomeAssistantTaskOptions {
  config: HomeAssistantConfig;
  identity: DiscoveryIdentity;
  publisher: RetainedPublisher;
  state: () => HomeAssistantState;
  logger?: ConsolaInstance;
}

export interface HomeAssistantTask {
  run: () => Promise<void>;
  status: () => ComponentStatus;
}

/** Makes the `homeassistant_task`: discovery configs after each (re)connect, then the state. */
export function homeAssistantTask(options: HomeAssistantTaskOptions): HomeAssistantTask {
  const log = options.logger ?? makeLogger("homeassistant");
  const messages = discoveryMessages(options.config, options.identity);
  const stateTopic = fillTopic(options.config.state_topic, options.identity.deviceId, "messaging.mqtt.homeassistant.state_topic");
  let announcedOn = -1;
  let lastState: Date | null = null;

  async function homeassistant_task(): Promise<void> {
    const state = JSON.stringify(options.state());
    if (announcedOn !== options.publisher.connections || announcedOn < 0) {
      for (const m of messages) await options.publisher.publishRetained(m.topic, JSON.stringify(m.payload));
      // Counted after the publishes: a connection made by the first publish is the one announced on.
      announcedOn = options.publisher.connections;
      log.debug(`Published ${messages.length} Home Assistant discovery configs under ${options.config.discovery_prefix}/`);
    }
    await options.publisher.publishRetained(stateTopic, state);
    lastState = new Date();
  }

  return {
    run: homeassistant_task,
    status: () => ({ figures: { discovery_configs: messages.length, last_state: lastState?.toISOString() ?? null } }),
  };
}
