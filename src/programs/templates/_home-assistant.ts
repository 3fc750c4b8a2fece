/**
 * @module Wires Home Assistant discovery into the messaging template when
 * `messaging.mqtt.homeassistant.enabled` is set and the messenger is the MQTT one: the
 * `homeassistant_task` (every `state_interval` s, and once at start) publishes the retained
 * discovery configs and the state through the messenger's own connection. A failed publish is a
 * task failure the scheduler counts; the next run tries again.
 */
import type { MessageStore } from "../../components/message-stores/types.ts";
import { homeAssistantTask } from "../../components/messengers/home-assistant-discovery.ts";
import { homeAssistantState } from "../../components/messengers/home-assistant-state.ts";
import { MqttMessenger } from "../../components/messengers/mqtt-messenger.ts";
import type { Messenger } from "../../components/messengers/types.ts";
import type { ActivityStore } from "../../components/stores/types.ts";
import { HOMEASSISTANT_TASK } from "../../tasks/names.ts";
import type { ProgramContext } from "../program-context.ts";
import { DEFAULT_QUEUE } from "../workers.ts";
import type { MessagingConfig } from "./messaging.ts";
import type { BasicTemplate } from "./basic.ts";

function hasActivity(store: unknown): store is ActivityStore {
  return typeof store === "object" && store !== null && typeof (store as Partial<ActivityStore>).activity === "function";
}

export function wireHomeAssistant(
  ctx: ProgramContext,
  config: MessagingConfig,
  parts: { messenger: Messenger | null; outbox: MessageStore; basic?: BasicTemplate; health: () => string; storagePath: string },
): void {
  const ha = config.mqtt?.homeassistant;
  if (ha?.enabled !== true) return;
  const { messenger, basic } = parts;
  if (!(messenger instanceof MqttMessenger) || messenger.statusTopic === null) {
    ctx.deps.logger.warn("messaging.mqtt.homeassistant is enabled, but messages do not go over MQTT: nothing is published for Home Assistant");
    return;
  }
  const { deps } = ctx;
  const task = homeAssistantTask({
    config: ha,
    identity: { deviceId: deps.deviceId, availabilityTopic: messenger.statusTopic, version: deps.version, program: "acoupi sensor" },
    publisher: messenger,
    state: homeAssistantState({
      health: parts.health,
      lastRecordingAt: basic ? () => basic.recording.lastRecordingAt() : undefined,
      activity: hasActivity(basic?.store) ? basic.store : undefined,
      outboxPending: () => parts.outbox.stats().pending,
      storagePath: parts.storagePath,
      timezone: basic?.timezone,
      now: () => deps.clock.now(),
    }),
    logger: deps.logger.withTag(HOMEASSISTANT_TASK),
  });
  ctx.addTask(task.run, { name: HOMEASSISTANT_TASK, schedule: { every: ha.state_interval }, queue: DEFAULT_QUEUE });
  // At start too, without holding the start up while a broker is away.
  ctx.onStart(() => {
    void task.run().catch((error: unknown) => deps.logger.warn("The first Home Assistant publish failed; the task retries it:", error));
  });
  ctx.onStatus(HOMEASSISTANT_TASK, task.status);
}
