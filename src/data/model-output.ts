/**
 * @module What a model says about a recording: Tag, PredictedTag, BoundingBox, Detection and
 * ModelOutput, with acoupi 0.6's JSON shape (the body of a detection message).
 */
import { z } from "zod";
import { pyFloat, stringifyAcoupi, type JsonTree } from "./json.ts";
import { RecordingSchema, recordingTree } from "./recording.ts";
import { UtcDateSchema } from "./utc-date.ts";

export const TagSchema = z.object({ key: z.string(), value: z.string() });
export type Tag = z.output<typeof TagSchema>;

export const PredictedTagSchema = z.object({
  tag: TagSchema,
  confidence_score: z.number().min(0).max(1).default(1),
});
export type PredictedTag = z.output<typeof PredictedTagSchema>;

/** coordinates: [start_time s, low_freq Hz, end_time s, high_freq Hz]. */
export const BoundingBoxSchema = z
  .object({
    type: z.literal("BoundingBox").default("BoundingBox"),
    coordinates: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  })
  .refine((b) => b.coordinates[2] > b.coordinates[0] && b.coordinates[3] > b.coordinates[1], {
    message: "A bounding box needs end_time > start_time and high_freq > low_freq",
  });
export type BoundingBox = z.output<typeof BoundingBoxSchema>;

export const PredictionTypeSchema = z.enum(["presence", "sequence", "event"]);
export type PredictionType = z.output<typeof PredictionTypeSchema>;

export const DetectionSchema = z.object({
  id: z.uuid(),
  prediction_type: PredictionTypeSchema,
  location: BoundingBoxSchema.nullable().default(null),
  detection_score: z.number().min(0).max(1).default(1),
  tags: z.array(PredictedTagSchema).default([]),
});
export type Detection = z.output<typeof DetectionSchema>;

export const ModelOutputSchema = z.object({
  id: z.uuid(),
  name_model: z.string().min(1),
  recording: RecordingSchema,
  detections: z.array(DetectionSchema).default([]),
  created_on: UtcDateSchema,
});
export type ModelOutput = z.output<typeof ModelOutputSchema>;

export function boundingBox(startTime: number, lowFreq: number, endTime: number, highFreq: number): BoundingBox {
  return BoundingBoxSchema.parse({ coordinates: [startTime, lowFreq, endTime, highFreq] });
}

export function predictedTagTree(t: PredictedTag): JsonTree {
  return { tag: { key: t.tag.key, value: t.tag.value }, confidence_score: pyFloat(t.confidence_score) };
}

export function detectionTree(d: Detection): JsonTree {
  return {
    id: d.id,
    prediction_type: d.prediction_type,
    location: d.location === null ? null : { type: "BoundingBox", coordinates: d.location.coordinates.map(pyFloat) },
    detection_score: pyFloat(d.detection_score),
    tags: d.tags.map(predictedTagTree),
  };
}

export function modelOutputTree(m: ModelOutput): JsonTree {
  return {
    id: m.id,
    name_model: m.name_model,
    recording: recordingTree(m.recording),
    detections: m.detections.map(detectionTree),
    created_on: m.created_on,
  };
}

/** The detection message body, byte-compatible with acoupi 0.6's `ModelOutput.model_dump_json()`. */
export function modelOutputJson(m: ModelOutput): string {
  return stringifyAcoupi(modelOutputTree(m));
}
