/**
 * @module `heartbeatTask` and `heartbeatStatus`. The heartbeat is acoupi's `Heartbeat`
 * (`{sent_on, device_id, status, metrics}`), but where acoupi sends it straight to the messenger
 * and loses it when offline, ours goes into the outbox as a "heartbeat" message: `sent_on` is
 * when it was made, so one delivered after an outage still tells when the device was alive and
 * how it was doing. Heartbeats are the first thing dropped when the outbox is over its ceiling.
 * `heartbeatStatus` turns the scheduler's task figures and the components' degraded reasons into
 * the one-line status: "OK", or what is wrong.
 */
import type { ConsolaInstance } from "consola";
import type { MessageStore } from "../components/message-stores/types.ts";
import { heartbeatJson, type ComponentStatus, type Heartbeat, type Message, type Metric } from "../data/index.ts";
import { logger as makeLogger } from "../log.ts";
import type { Schedule, TaskStats } from "../scheduler/types.ts";
import { HEARTBEAT_TASK, RECORDING_TASK } from "./names.ts";
import { systemClock, type Clock } from "../scheduler/clock.ts";

/** Samples one or more metrics now (acoupi's metric callables return one Metric). */
export type MetricSource = () => Metric | Metric[];

export interface HeartbeatTaskOptions {
  outbox: MessageStore;
  deviceId: string;
  clock?: Clock;
  /** Sampled each time a heartbeat is made; a source that throws is left out and logged. */
  metrics?: MetricSource | readonly MetricSource[];
  /** The status line; "OK" by default (see `heartbeatStatus`). */
  status?: () => string;
  /** acoupi's `serializer(Heartbeat)`: the message content; acoupi's JSON by default. */
  serializer?: (heartbeat: Heartbeat) => string;
  logger?: ConsolaInstance;
}

export interface HeartbeatTask {
  run: () => Heartbeat;
  /** The last heartbeat's time and status line. */
  status: () => ComponentStatus;
}

/** Makes the `heartbeat_task` function: builds a heartbeat and stores it in the outbox. */
export function heartbeatTask(options: HeartbeatTaskOptions): HeartbeatTask {
  const clock = options.clock ?? systemClock;
  const sources: readonly MetricSource[] =
    options.metrics === undefined ? [] : typeof options.metrics === "function" ? [options.metrics] : options.metrics;
  const serializer = options.serializer ?? heartbeatJson;
  const log = options.logger ?? makeLogger(HEARTBEAT_TASK);

  const sample = (): Metric[] => {
    const metrics: Metric[] = [];
    for (const source of sources) {
      try {
        const value = source();
        if (Array.isArray(value)) metrics.push(...value);
        else metrics.push(value);
      } catch (error) {
        log.warn(`A heartbeat metric (${source.name || "anonymous"}) could not be sampled; it is left out:`, error);
      }
    }
    return metrics;
  };

  let last: Heartbeat | null = null;

  function heartbeat_task(): Heartbeat {
    const sentOn = clock.now();
    let status: string;
    try {
      status = options.status?.() ?? "OK";
    } catch (error) {
      status = `status unknown: ${error instanceof Error ? error.message : String(error)}`;
    }
    const heartbeat: Heartbeat = { sent_on: sentOn, device_id: options.deviceId, status, metrics: sample() };
    const message: Message = { id: crypto.randomUUID(), kind: "heartbeat", content: serializer(heartbeat), created_on: sentOn };
    options.outbox.storeMessage(message);
    log.debug(`Stored heartbeat ${message.id} (status ${status}, ${heartbeat.metrics.length} metrics)`);
    last = heartbeat;
    return heartbeat;
  }

  return {
    run: heartbeat_task,
    status: () => ({ figures: { last_heartbeat: last?.sent_on.toISOString() ?? null, last_status: last?.status ?? null } }),
  };
}

export interface HeartbeatStatusOptions {
  clock?: Clock;
  /** The task whose silence makes the status not OK; default `recording_task`. */
  watchedTask?: string;
  /** It must have succeeded within this many of its intervals; default 3. */
  staleIntervals?: number;
  /** Longest status line; longer ones are cut; default 240 characters. */
  maxLength?: number;
}

/** What the heartbeat status reads of a running program (ProgramContext provides it). */
export interface StatusContext {
  taskStats(): Record<string, TaskStats>;
  collectStatus(): { degraded: string[] };
  task(name: string): { schedule?: Schedule } | undefined;
}

function firstLine(text: string | null, max = 120): string {
  const line = (text ?? "unknown error").split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The heartbeat status of a running program: "OK" when no task's latest run failed, the watched
 * task (recording) succeeded within `staleIntervals` of its interval (counted from when this is
 * called, i.e. program setup, until its first success), and no component reports itself
 * degraded; otherwise the reasons, e.g. `recording_task failing: Cannot open capture device …`.
 */
export function heartbeatStatus(ctx: StatusContext, options: HeartbeatStatusOptions = {}): () => string {
  const clock = options.clock ?? systemClock;
  const watched = options.watchedTask ?? RECORDING_TASK;
  const staleIntervals = options.staleIntervals ?? 3;
  const maxLength = options.maxLength ?? 240;
  const since = clock.now();

  return () => {
    const now = clock.now();
    const reasons: string[] = [];
    const stats = ctx.taskStats();
    for (const [name, s] of Object.entries(stats).toSorted(([a], [b]) => a.localeCompare(b))) {
      const failing = s.lastFailure !== null && (s.lastSuccess === null || s.lastFailure >= s.lastSuccess);
      if (failing) reasons.push(`${name} failing: ${firstLine(s.lastError)}`);
    }
    const schedule = ctx.task(watched)?.schedule;
    if (schedule !== undefined && "every" in schedule) {
      const s = stats[watched];
      const lastOk = s?.lastSuccess ?? since;
      const silentS = (now.getTime() - lastOk.getTime()) / 1000;
      const failing = reasons.some((r) => r.startsWith(`${watched} `));
      if (!failing && silentS > staleIntervals * schedule.every) {
        reasons.push(`${watched} has not succeeded for ${Math.round(silentS)} s (every ${schedule.every} s)`);
      }
    }
    reasons.push(...ctx.collectStatus().degraded.map((reason) => firstLine(reason)));
    if (reasons.length === 0) return "OK";
    const line = reasons.join("; ");
    return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
  };
}
