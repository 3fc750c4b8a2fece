/** @module Test records: a Recording and ModelOutputs built through the real zod schemas. */
import {
  DetectionSchema,
  ModelOutputSchema,
  RecordingSchema,
  createDeployment,
  type ModelOutput,
  type Recording,
} from "../../src/data/index.ts";

export const RECORDING_ID = "0b8c2f0e-6a8f-4f43-9d3e-2f1c8a9b7e51";

export function recordingAt(createdOn: string, init: { latitude?: number | null; longitude?: number | null; name?: string } = {}): Recording {
  const deployment = createDeployment({
    name: init.name ?? "garden",
    latitude: init.latitude ?? null,
    longitude: init.longitude ?? null,
    now: new Date("2024-01-01T00:00:00Z"),
  });
  return RecordingSchema.parse({
    id: RECORDING_ID,
    created_on: createdOn,
    duration: 3,
    samplerate: 48000,
    deployment,
    path: "/tmp/acoupi/20240621_120000.wav",
  });
}

/** One model output with a detection per entry: a score and its tags ([key, value, confidence]). */
export function outputWith(recording: Recording, detections: { score: number; tags?: [string, string, number][] }[]): ModelOutput {
  return ModelOutputSchema.parse({
    id: crypto.randomUUID(),
    name_model: "test-model",
    recording,
    created_on: recording.created_on,
    detections: detections.map((d) =>
      DetectionSchema.parse({
        id: crypto.randomUUID(),
        prediction_type: "presence",
        detection_score: d.score,
        tags: (d.tags ?? []).map(([key, value, confidence_score]) => ({ tag: { key, value }, confidence_score })),
      }),
    ),
  });
}
