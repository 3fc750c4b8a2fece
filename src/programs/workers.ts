/**
 * @module Worker config: named workers, each serving queues with a concurrency, as acoupi's
 * WorkerConfig. Here a worker is not a process: it only sets the semaphore of its queues in
 * the in-process scheduler. acoupi's `celery` queue is called `default`.
 */
import { z } from "zod";
import { ConfigError } from "../errors.ts";

export const WorkerSpecSchema = z.object({
  name: z.string().min(1).describe("Worker name, unique among the program's workers"),
  queues: z.array(z.string().min(1)).min(1).describe("Queues this worker serves"),
  concurrency: z.number().int().positive().nullable().default(null).describe("Tasks run at once; null is unbounded"),
});
export type WorkerSpec = z.input<typeof WorkerSpecSchema>;

export const DEFAULT_QUEUE = "default";

export const DEFAULT_WORKERS: readonly WorkerSpec[] = [
  { name: "recording", queues: ["recording"], concurrency: 1 },
  { name: "default", queues: [DEFAULT_QUEUE], concurrency: null },
];

export const DETECTION_WORKERS: readonly WorkerSpec[] = [
  { name: "recording", queues: ["recording"], concurrency: 1 },
  { name: "detection", queues: ["detection"], concurrency: 1 },
  { name: "default", queues: [DEFAULT_QUEUE], concurrency: null },
];

/** Validates a worker config and returns the concurrency of each queue. */
export function queueConcurrency(workers: readonly WorkerSpec[]): Record<string, number | null> {
  const seen = new Set<string>();
  const queues: Record<string, number | null> = {};
  for (const raw of workers) {
    const worker = WorkerSpecSchema.parse(raw);
    if (seen.has(worker.name)) {
      throw new ConfigError(`Worker names must be unique: "${worker.name}" is declared twice`, {
        help: "Give each worker in the program's `workers` a distinct name",
      });
    }
    seen.add(worker.name);
    for (const queue of worker.queues) {
      if (queue in queues) {
        throw new ConfigError(`Queue "${queue}" is served by more than one worker`, { help: "Serve each queue from one worker" });
      }
      queues[queue] = worker.concurrency;
    }
  }
  return queues;
}
