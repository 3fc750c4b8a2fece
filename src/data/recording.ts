/**
 * @module Recording: one audio file and what is known about it. `created_on` is the wall time
 * of its first sample (derived from the stream's sample count, not the time it was written).
 */
import { z } from "zod";
import { DeploymentSchema, deploymentTree } from "./deployment.ts";
import { pyFloat, type JsonTree } from "./json.ts";
import { UtcDateSchema } from "./utc-date.ts";

export const RecordingSchema = z.object({
  id: z.uuid(),
  created_on: UtcDateSchema,
  duration: z.number().positive(),
  samplerate: z.number().int().positive(),
  deployment: DeploymentSchema,
  path: z.string().nullable().default(null),
  audio_channels: z.number().int().min(1).default(1),
  time_expansion: z.number().positive().default(1),
  /** Bits per sample of the file; every recorder here captures S16_LE. Not in acoupi 0.6. */
  bit_depth: z.number().int().positive().default(16),
});

export type Recording = z.output<typeof RecordingSchema>;

/**
 * JSON key order as acoupi writes it: created_on, duration, samplerate, deployment, path, …, id
 * last; `bit_depth` (ours; the acoupi dashboard's Recordings table reads it) goes before id.
 */
export function recordingTree(r: Recording): JsonTree {
  return {
    created_on: r.created_on,
    duration: pyFloat(r.duration),
    samplerate: r.samplerate,
    deployment: deploymentTree(r.deployment),
    path: r.path,
    audio_channels: r.audio_channels,
    time_expansion: pyFloat(r.time_expansion),
    bit_depth: r.bit_depth,
    id: r.id,
  };
}
