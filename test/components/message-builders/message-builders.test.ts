import { describe, expect, test } from "bun:test";
import { detectionThresholdMessage } from "../../../src/components/message-builders/detection-threshold-message.ts";
import { fullModelOutputMessage } from "../../../src/components/message-builders/full-model-output-message.ts";
import { boundingBox, createDeployment, modelOutputJson, type Detection, type ModelOutput } from "../../../src/data/index.ts";

function detection(score: number, labels: string[]): Detection {
  return {
    id: crypto.randomUUID(),
    prediction_type: "presence",
    location: boundingBox(0, 0, 3, 24000),
    detection_score: score,
    tags: labels.map((value) => ({ tag: { key: "species", value }, confidence_score: 0.1 })),
  };
}

function output(detections: Detection[]): ModelOutput {
  return {
    id: crypto.randomUUID(),
    name_model: "BirdNET",
    recording: {
      id: crypto.randomUUID(),
      created_on: new Date("2026-05-01T06:00:00Z"),
      duration: 3,
      samplerate: 48000,
      deployment: createDeployment({ name: "d", now: new Date("2026-05-01T00:00:00Z") }),
      path: "/tmp/x.wav",
      audio_channels: 1,
      time_expansion: 1,
      bit_depth: 16,
    },
    detections,
    created_on: new Date("2026-05-01T06:00:10Z"),
  };
}

describe("detectionThresholdMessage", () => {
  test("detectionThresholdMessage sends the output's JSON with only the detections at or above the threshold that have tags", () => {
    const kept = detection(0.5, ["robin"]);
    const input = output([kept, detection(0.49, ["wren"]), detection(0.9, [])]);
    const message = detectionThresholdMessage(0.5)(input);
    expect(message).not.toBeNull();
    expect(message?.kind).toBe("detection");
    expect(message?.content).toBe(modelOutputJson({ ...input, detections: [kept] }));
    const parsed = JSON.parse(message?.content ?? "{}");
    expect(parsed.id).toBe(input.id);
    expect(parsed.detections).toHaveLength(1);
    // Tags are not filtered by the threshold (their confidence is 0.1 here), as in acoupi.
    expect(parsed.detections[0].tags).toEqual([{ tag: { key: "species", value: "robin" }, confidence_score: 0.1 }]);
    expect(message?.content).toContain('"detection_score":0.5,');
  });

  test("detectionThresholdMessage builds no message when no detection passes", () => {
    expect(detectionThresholdMessage(0.5)(output([detection(0.2, ["robin"]), detection(0.9, [])]))).toBeNull();
  });
});

describe("fullModelOutputMessage", () => {
  test("fullModelOutputMessage sends the whole output, even without detections", () => {
    const input = output([]);
    const message = fullModelOutputMessage()(input);
    expect(message.kind).toBe("detection");
    expect(message.content).toBe(modelOutputJson(input));
    expect(message.content).toContain('"detections":[]');
  });
});
