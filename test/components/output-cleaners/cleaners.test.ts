import { describe, expect, test } from "bun:test";
import { labelFilterCleaner } from "../../../src/components/output-cleaners/label-filter-cleaner.ts";
import { DetectionsConfigSchema, thresholdCleaner } from "../../../src/components/output-cleaners/threshold-cleaner.ts";
import { topKCleaner } from "../../../src/components/output-cleaners/top-k-cleaner.ts";
import { boundingBox, createDeployment, type Detection, type ModelOutput } from "../../../src/data/index.ts";

function detection(score: number, labels: Array<[string, number]>, start = 0): Detection {
  return {
    id: crypto.randomUUID(),
    prediction_type: "presence",
    location: boundingBox(start, 0, start + 3, 24000),
    detection_score: score,
    tags: labels.map(([value, confidence_score]) => ({ tag: { key: "species", value }, confidence_score })),
  };
}

function output(detections: Detection[]): ModelOutput {
  return {
    id: crypto.randomUUID(),
    name_model: "test",
    recording: {
      id: crypto.randomUUID(),
      created_on: new Date("2026-05-01T06:00:00Z"),
      duration: 9,
      samplerate: 48000,
      deployment: createDeployment({ name: "d" }),
      path: "/tmp/x.wav",
      audio_channels: 1,
      time_expansion: 1,
      bit_depth: 16,
    },
    detections,
    created_on: new Date("2026-05-01T06:00:10Z"),
  };
}

const labelsOf = (o: ModelOutput) => o.detections.map((d) => d.tags.map((t) => t.tag.value));

describe("thresholdCleaner", () => {
  test("thresholdCleaner keeps detections and tags at or above the threshold, and keeps the output's id and created_on", () => {
    const input = output([
      detection(0.9, [["a", 0.9], ["b", 0.1]]),
      detection(0.2, [["c", 0.2]]),
      detection(0.19, [["d", 0.9]]),
      detection(0.5, [["e", 0.1]]),
    ]);
    const cleaned = thresholdCleaner(0.2)(input);
    expect(cleaned.id).toBe(input.id);
    expect(cleaned.created_on).toBe(input.created_on);
    expect(labelsOf(cleaned)).toEqual([["a"], ["c"], []]);
    expect(input.detections).toHaveLength(4);
  });

  test("DetectionsConfigSchema defaults detections.threshold to 0.2 as acoupi does", () => {
    expect(DetectionsConfigSchema.parse({})).toEqual({ threshold: 0.2 });
  });
});

describe("labelFilterCleaner", () => {
  test("labelFilterCleaner keeps allowed labels, drops denied ones and detections left without tags", () => {
    const input = output([detection(0.9, [["robin", 0.9], ["wren", 0.8]]), detection(0.8, [["crow", 0.8]]), detection(0.7, [])]);
    expect(labelsOf(labelFilterCleaner({ allow: ["robin", "crow"], deny: ["crow"] })(input))).toEqual([["robin"], []]);
    expect(labelsOf(labelFilterCleaner({ deny: ["wren"] })(input))).toEqual([["robin"], ["crow"], []]);
  });
});

describe("topKCleaner", () => {
  test("topKCleaner keeps the k best detections of each window in their original order", () => {
    const input = output([
      detection(0.3, [["a", 0.3]], 0),
      detection(0.9, [["b", 0.9]], 0),
      detection(0.6, [["c", 0.6]], 0),
      detection(0.1, [["d", 0.1]], 3),
      detection(0.5, [["e", 0.5]], 3),
      detection(0.4, [["f", 0.4]], 3),
    ]);
    const cleaned = topKCleaner(2)(input);
    expect(labelsOf(cleaned)).toEqual([["b"], ["c"], ["e"], ["f"]]);
    expect(cleaned.id).toBe(input.id);
  });

  test("topKCleaner refuses a k below 1", () => {
    expect(() => topKCleaner(0)).toThrow(RangeError);
  });
});
