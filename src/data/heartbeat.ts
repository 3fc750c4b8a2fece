/**
 * @module Metric and Heartbeat. `sent_on` is when the heartbeat was made and its metrics
 * sampled, not when it left the outbox, so a heartbeat delivered after an outage still tells
 * when the device was alive.
 */
import { z } from "zod";
import { pyFloat, stringifyAcoupi, type JsonTree } from "./json.ts";
import { UtcDateSchema } from "./utc-date.ts";

export const MetricSchema = z.object({
  name: z.string(),
  value: z.number(),
  captured_on: UtcDateSchema,
  unit: z.string(),
});
export type Metric = z.output<typeof MetricSchema>;

export const HeartbeatSchema = z.object({
  sent_on: UtcDateSchema,
  device_id: z.string(),
  status: z.string().default("OK"),
  metrics: z.array(MetricSchema).default([]),
});
export type Heartbeat = z.output<typeof HeartbeatSchema>;

export function metricTree(m: Metric): JsonTree {
  return { name: m.name, value: pyFloat(m.value), captured_on: m.captured_on, unit: m.unit };
}

/** acoupi's heartbeat JSON; `metrics` is omitted when empty, as acoupi does. */
export function heartbeatJson(h: Heartbeat): string {
  const tree: { [key: string]: JsonTree } = { sent_on: h.sent_on, device_id: h.device_id, status: h.status };
  if (h.metrics.length > 0) tree.metrics = h.metrics.map(metricTree);
  return stringifyAcoupi(tree);
}
