/**
 * @module The messaging template (acoupi's MessagingProgram, as a function): it opens the outbox,
 * builds the messenger from `messaging.http` or `messaging.mqtt` (http wins when both are set, as
 * in acoupi), and registers `send_messages_task` and `heartbeat_task`. Unlike acoupi it still
 * registers both without a messenger: heartbeats (and any other messages) wait in the outbox,
 * which is still pruned to its ceiling, until one is configured. It adds the messenger's health
 * check, a last send when the deployment ends, and the outbox figures (with the messenger's own
 * `status()`) to the status file. Given `{ basic }`, the outbox is opened beside the metadata so
 * messages commit with the data they report, and heartbeats carry the last recording's age. It
 * returns the outbox so the detection template stores its messages in the same one.
 */
import { dirname } from "node:path";
import { z } from "zod";
import { noPrompt } from "../../config/markers.ts";
import { SqliteMessageStore, SqliteMessageStoreConfigSchema } from "../../components/message-stores/sqlite-message-store.ts";
import { HttpConfigSchema, HttpMessenger } from "../../components/messengers/http-messenger.ts";
import { MqttConfigSchema, MqttMessenger } from "../../components/messengers/mqtt-messenger.ts";
import type { MessageStore } from "../../components/message-stores/types.ts";
import type { Messenger } from "../../components/messengers/types.ts";
import type { Heartbeat } from "../../data/index.ts";
import { lastRecordingAge, outboxDepth, systemMetrics, taskFailures } from "../../system/metrics.ts";
import { heartbeatStatus, heartbeatTask, type MetricSource } from "../../tasks/heartbeat.ts";
import { withRollbackNotice } from "../../update/update-result.ts";
import { HEARTBEAT_TASK, SEND_MESSAGES_TASK } from "../../tasks/names.ts";
import { DEFAULT_SEND_CONCURRENCY, sendMessagesTask, type SendMessagesTask } from "../../tasks/send-messages.ts";
import type { ProgramContext } from "../program-context.ts";
import type { BasicTemplate } from "./basic.ts";
import { DEFAULT_QUEUE } from "../workers.ts";
import { LAST_SEND_DEADLINE_MS } from "../../app/stop-deadlines.ts";
import { wireHomeAssistant } from "./_home-assistant.ts";

/** The outbox limits and backoff: the message store's settings other than its path. */
export const OutboxConfigSchema = SqliteMessageStoreConfigSchema.omit({ messages_db: true });

export const MessagingConfigSchema = z.object({
  messages_db: SqliteMessageStoreConfigSchema.shape.messages_db,
  message_send_interval: z.number().int().positive().max(86_400).default(120).describe("Seconds between two runs of the send task"),
  max_messages: z
    .number()
    .int()
    .positive()
    .max(1_000_000)
    .nullable()
    .default(null)
    .describe("Most messages sent per run (empty: every message that is due)"),
  message_order: z.enum(["oldest_first", "newest_first"]).default("oldest_first").describe("Which messages go first"),
  heartbeat_interval: z.number().int().positive().max(604_800).default(3600).describe("Seconds between two heartbeats"),
  http: HttpConfigSchema.nullable().default(null).describe("Send messages to an HTTP endpoint; when set it is used instead of mqtt"),
  mqtt: MqttConfigSchema.nullable().default(null).describe("Send messages to an MQTT broker (used when http is not set)"),
  outbox: OutboxConfigSchema.prefault({}).describe("How many messages the outbox keeps, and how failed sends back off"),
  send_concurrency: noPrompt(
    z.number().int().positive().max(64).default(DEFAULT_SEND_CONCURRENCY).describe("Most messages in flight at once while sending"),
  ),
});
export type MessagingConfig = z.output<typeof MessagingConfigSchema>;

export interface MessagingTemplateOptions {
  /** Use this messenger instead of the one the config describes; null for none. */
  messenger?: Messenger | null;
  /** Metrics added to each heartbeat after the default ones. */
  metrics?: readonly MetricSource[];
  /** Leave out the default heartbeat metrics (system, outbox depth, task failures, last recording age). */
  defaultMetrics?: boolean;
  /** The heartbeat content (acoupi's heartbeat `serializer`); acoupi's JSON by default. */
  heartbeatSerializer?: (heartbeat: Heartbeat) => string;
  /** The heartbeat status line; by default `heartbeatStatus(ctx)`. */
  heartbeatStatus?: () => string;
}

/** What the templates before this one made; with `basic`, the outbox shares its transactions. */
export interface MessagingInputs {
  basic?: BasicTemplate;
}

/** What the messaging template made, for the templates composed after it. */
export interface MessagingTemplate {
  outbox: MessageStore;
  messenger: Messenger | null;
  send: SendMessagesTask;
}

function configuredMessenger(ctx: ProgramContext, config: MessagingConfig): Messenger | null {
  if (config.http !== null) {
    if (config.mqtt !== null) ctx.deps.logger.warn("Both messaging.http and messaging.mqtt are set: messages go over HTTP only");
    return new HttpMessenger(config.http);
  }
  if (config.mqtt !== null) return new MqttMessenger(config.mqtt, { deviceId: ctx.deps.deviceId });
  return null;
}

/** Sets up messaging on `ctx`; returns the outbox, the messenger (null when none is configured) and the send task. */
export function messagingTemplate(
  ctx: ProgramContext,
  config: MessagingConfig,
  inputs: MessagingInputs = {},
  options: MessagingTemplateOptions = {},
): MessagingTemplate {
  const { deps } = ctx;
  const outboxConfig = { ...config.outbox, messages_db: config.messages_db };
  const outboxDeps = { logger: deps.logger.withTag("outbox"), recoverDamaged: true };
  const outbox = inputs.basic ? inputs.basic.openOutbox(outboxConfig, outboxDeps) : new SqliteMessageStore(outboxConfig, outboxDeps);
  ctx.onClose(() => outbox.close());

  const messenger = options.messenger === undefined ? configuredMessenger(ctx, config) : options.messenger;
  if (messenger === null) {
    deps.logger.warn("No messenger is configured (messaging.http and messaging.mqtt are empty): messages are kept in the outbox until one is");
  }
  // Sends let go of at stop (see below) may still be writing their outcomes: closers run in reverse,
  // so the messenger closes first (failing what waits on it), then this waits for those sends to
  // settle (1 s at most), then the outbox closes.
  const unsettled = new Set<Promise<unknown>>();
  const tracked = <T>(sending: Promise<T>): Promise<T> => {
    unsettled.add(sending);
    void sending.then(
      () => unsettled.delete(sending),
      () => unsettled.delete(sending),
    );
    return sending;
  };
  ctx.onClose(() => Promise.race([Promise.allSettled([...unsettled]), Bun.sleep(1000)]).then(() => undefined));
  if (messenger !== null) {
    ctx.onClose(() => messenger.close());
    ctx.onCheck(() => messenger.check(), { network: true });
  }

  const send = sendMessagesTask({
    outbox,
    messengers: messenger === null ? [] : [messenger],
    maxMessages: config.max_messages,
    order: config.message_order,
    concurrency: config.send_concurrency,
    clock: deps.clock,
    logger: deps.logger.withTag(SEND_MESSAGES_TASK),
  });
  // When the runner stops, a run waiting on the broker is let go (the last send below takes over),
  // so the drain never waits for a dead broker's timeout.
  const sendWhileRunning = async function send_messages_task() {
    if (ctx.stopping.aborted) return undefined;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      ctx.stopping.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([tracked(send.run()), aborted]);
    } finally {
      if (onAbort !== undefined) ctx.stopping.removeEventListener("abort", onAbort);
    }
  };
  ctx.addTask(sendWhileRunning, { name: SEND_MESSAGES_TASK, schedule: { every: config.message_send_interval }, queue: DEFAULT_QUEUE });

  const metrics: MetricSource[] = [];
  if (options.defaultMetrics !== false) {
    const storagePath = dirname(config.messages_db);
    metrics.push(
      function system() {
        return systemMetrics({ storagePath, now: deps.clock.now() });
      },
      function outbox_pending() {
        return outboxDepth(outbox.stats().pending, { now: deps.clock.now() });
      },
      function task_failures() {
        const counts = Object.fromEntries(Object.entries(ctx.taskStats()).map(([name, s]) => [name, s.failures]));
        return taskFailures(counts, { now: deps.clock.now() });
      },
    );
    const retention = inputs.basic?.retention;
    if (retention) metrics.push(function retention_metrics() {
      return retention.metrics();
    });
    const modelHealth = inputs.basic?.modelHealth;
    if (modelHealth) metrics.push(function model_health() {
      return modelHealth.metrics(deps.clock.now());
    });
    const upload = inputs.basic?.upload;
    if (upload) metrics.push(function upload_backlog() {
      return upload.metrics(deps.clock.now());
    });
    const privacy = inputs.basic?.privacy;
    if (privacy) metrics.push(function privacy_metrics() {
      return privacy.metrics();
    });
    const recording = inputs.basic?.recording;
    if (recording) {
      metrics.push(function last_recording_age() {
        return lastRecordingAge(recording.lastRecordingAt(), { now: deps.clock.now() });
      });
    }
  }
  metrics.push(function program_metrics() {
    return ctx.heartbeatMetrics();
  });
  metrics.push(...(options.metrics ?? []));
  const heartbeat = heartbeatTask({
    outbox,
    deviceId: deps.deviceId,
    clock: deps.clock,
    metrics,
    status: withRollbackNotice(options.heartbeatStatus ?? heartbeatStatus(ctx, { clock: deps.clock }), deps.paths),
    ...(options.heartbeatSerializer === undefined ? {} : { serializer: options.heartbeatSerializer }),
    logger: deps.logger.withTag(HEARTBEAT_TASK),
  });
  ctx.addTask(heartbeat.run, { name: HEARTBEAT_TASK, schedule: { every: config.heartbeat_interval }, queue: DEFAULT_QUEUE });

  const health = options.heartbeatStatus ?? heartbeatStatus(ctx, { clock: deps.clock });
  wireHomeAssistant(ctx, config, { messenger, outbox, basic: inputs.basic, health, storagePath: dirname(config.messages_db) });

  if (messenger !== null) {
    // acoupi's on_end: what is queued (the last model outputs, the last heartbeat) goes out when the
    // runner stops and when the deployment ends, within a deadline a dead broker cannot stretch.
    const lastSend = async (budgetMs: number, when: string): Promise<void> => {
      const sending = tracked(send.run()).then(
        () => true,
        (error: unknown) => {
          deps.logger.error(`The last send ${when} failed; messages stay in the outbox:`, error);
          return true;
        },
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = await Promise.race([sending, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), budgetMs)))]);
      clearTimeout(timer);
      if (!done) deps.logger.warn(`The last send ${when} did not finish within ${(budgetMs / 1000).toFixed(1)} s; what is left stays in the outbox`);
    };
    ctx.onStopping((budgetMs) => lastSend(Math.min(budgetMs, LAST_SEND_DEADLINE_MS), "before the runner stopped"));
    ctx.onEnd(() => lastSend(LAST_SEND_DEADLINE_MS, "before the deployment ended"));
  }

  ctx.onStatus("outbox", () => {
    const stats = outbox.stats();
    const own = messenger?.status?.() ?? {};
    const store = outbox.status?.() ?? {};
    const degraded = [store.degraded, own.degraded].filter((reason) => typeof reason === "string" && reason !== "");
    return {
      degraded: degraded.length > 0 ? degraded.join("; ") : null,
      figures: {
        pending: stats.pending,
        delivered: stats.delivered,
        failed: stats.failed,
        dropped_heartbeat: stats.dropped.heartbeat,
        dropped_summary: stats.dropped.summary,
        dropped_detection: stats.dropped.detection,
        messenger: messenger === null ? "none" : "custom",
        last_error: send.lastRun()?.lastError?.message ?? null,
        ...store.figures,
        ...own.figures,
      },
    };
  });

  return { outbox, messenger, send };
}
