/**
 * @module Deployment: one placement of the sensor, from `acoupi start` to `acoupi stop`. The
 * same record lives in `config/deployment.json` (the active one) and in the metadata store
 * (the history).
 */
import { z } from "zod";
import { pyFloat, type JsonTree } from "./json.ts";
import { UtcDateSchema } from "./utc-date.ts";

export const DeploymentSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1),
  latitude: z.number().min(-90).max(90).nullable().default(null),
  longitude: z.number().min(-180).max(180).nullable().default(null),
  started_on: UtcDateSchema,
  ended_on: UtcDateSchema.nullable().default(null),
});

export type Deployment = z.output<typeof DeploymentSchema>;

export function createDeployment(init: {
  name: string;
  latitude?: number | null;
  longitude?: number | null;
  now?: Date;
}): Deployment {
  return DeploymentSchema.parse({
    id: crypto.randomUUID(),
    name: init.name,
    latitude: init.latitude ?? null,
    longitude: init.longitude ?? null,
    started_on: init.now ?? new Date(),
  });
}

/** The deployment as acoupi writes it inside messages (coordinates are floats). */
export function deploymentTree(d: Deployment): JsonTree {
  return {
    id: d.id,
    name: d.name,
    latitude: d.latitude === null ? null : pyFloat(d.latitude),
    longitude: d.longitude === null ? null : pyFloat(d.longitude),
    started_on: d.started_on,
    ended_on: d.ended_on,
  };
}
