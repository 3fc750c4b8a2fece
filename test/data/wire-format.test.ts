import { describe, expect, test } from "bun:test";
import { formatPyFloat, formatUtc, heartbeatJson, modelOutputJson, ModelOutputSchema, parseUtc } from "../../src/data/index.ts";

const ids = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;

// The verified acoupi 0.6 example from the reference (§4), with its ids filled in.
const ACOUPI_EXAMPLE =
  `{"id":"${ids(3)}","name_model":"BirdNET","recording":{"created_on":"2024-05-01T14:03:00Z","duration":3.0,"samplerate":48000,` +
  `"deployment":{"id":"${ids(1)}","name":"site","latitude":51.5,"longitude":-0.1,"started_on":"2024-01-01T00:00:00Z","ended_on":null},` +
  `"path":"/run/shm/20240501_140300.wav","audio_channels":1,"time_expansion":1.0,"bit_depth":16,"id":"${ids(2)}"},` +
  `"detections":[{"id":"${ids(4)}","prediction_type":"presence","location":{"type":"BoundingBox","coordinates":[0.0,0.0,3.0,24000.0]},` +
  `"detection_score":0.9,"tags":[{"tag":{"key":"species","value":"Turdus merula"},"confidence_score":0.9}]}],"created_on":"2024-05-01T14:03:05Z"}`;

describe("acoupi wire format", () => {
  test("a ModelOutput parsed from acoupi's JSON serialises back byte for byte", () => {
    const output = ModelOutputSchema.parse(JSON.parse(ACOUPI_EXAMPLE));
    expect(modelOutputJson(output)).toBe(ACOUPI_EXAMPLE);
  });

  test("floats keep a fraction and timestamps end in Z with microseconds only when present", () => {
    expect(formatPyFloat(3)).toBe("3.0");
    expect(formatPyFloat(-0.1)).toBe("-0.1");
    expect(formatPyFloat(1e-7)).toBe("1e-07");
    expect(formatUtc(new Date("2024-05-01T14:03:00Z"))).toBe("2024-05-01T14:03:00Z");
    expect(formatUtc(new Date("2024-05-01T14:03:00.250Z"))).toBe("2024-05-01T14:03:00.250000Z");
  });

  test("naive timestamps are read as UTC and offsets are honoured", () => {
    expect(parseUtc("2024-01-01 00:00:00").toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect(parseUtc("2024-01-01T01:00:00+01:00").toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect(() => parseUtc("yesterday")).toThrow(/Invalid timestamp/);
  });

  test("a heartbeat omits empty metrics and writes metric values as floats", () => {
    const sent_on = new Date("2024-01-01T00:00:00Z");
    expect(heartbeatJson({ sent_on, device_id: "1234567890ABCDEF", status: "OK", metrics: [] })).toBe(
      '{"sent_on":"2024-01-01T00:00:00Z","device_id":"1234567890ABCDEF","status":"OK"}',
    );
    const withMetric = heartbeatJson({
      sent_on,
      device_id: "d",
      status: "OK",
      metrics: [{ name: "free_memory", value: 1024, captured_on: sent_on, unit: "bytes" }],
    });
    expect(JSON.parse(withMetric).metrics[0]).toEqual({ name: "free_memory", value: 1024, captured_on: "2024-01-01T00:00:00Z", unit: "bytes" });
    expect(withMetric).toContain('"value":1024.0');
  });
});
