import { describe, expect, test } from "bun:test";
import { acoupiGuanoFields, buildGuano, guanoChunk, guanoTimestamp, parseGuano, type AcoupiGuano } from "../../src/audio/guano.ts";

const META: AcoupiGuano = {
  timestamp: new Date("2024-05-01T14:03:00.125Z"),
  firmwareVersion: "0.1.0",
  serial: "10000000abcdef01",
  samplerate: 384000,
  length: 3,
  timeExpansion: 1,
  latitude: 51.5,
  longitude: -0.1,
  deploymentName: "garden",
  deploymentId: "11111111-2222-4333-8444-555555555555",
};

describe("guano", () => {
  test("acoupi's fields are written in order with the version first", () => {
    const text = buildGuano(acoupiGuanoFields(META));
    expect(text).toBe(
      [
        "GUANO|Version: 1.0",
        "Timestamp: 2024-05-01T14:03:00.125+00:00",
        "Make: acoupi",
        "Firmware Version: 0.1.0",
        "Serial: 10000000abcdef01",
        "Samplerate: 384000",
        "Length: 3.0",
        "Loc Position: 51.5 -0.1",
        "Acoupi|Deployment Name: garden",
        "Acoupi|Deployment ID: 11111111-2222-4333-8444-555555555555",
        "",
      ].join("\n"),
    );
  });

  test("TE is written only when the time expansion is not 1", () => {
    expect(parseGuano(buildGuano(acoupiGuanoFields(META))).has("TE")).toBe(false);
    expect(parseGuano(buildGuano(acoupiGuanoFields({ ...META, timeExpansion: 10 }))).get("TE")).toBe("10.0");
    expect(parseGuano(buildGuano(acoupiGuanoFields({ ...META, timeExpansion: 2.5 }))).get("TE")).toBe("2.5");
  });

  test("Loc Position is left out unless both coordinates are known", () => {
    const fields = parseGuano(buildGuano(acoupiGuanoFields({ ...META, longitude: null })));
    expect(fields.has("Loc Position")).toBe(false);
  });

  test("values with newlines survive a round trip", () => {
    const text = buildGuano([["Note", "line one\nline two"], ["Acoupi|Path", "C:\\x"]]);
    expect(text.startsWith("GUANO|Version: 1.0\n")).toBe(true);
    const back = parseGuano(text);
    expect(back.get("Note")).toBe("line one\nline two");
    expect(back.get("Acoupi|Path")).toBe("C:\\x");
  });

  test("a timestamp is ISO 8601 with milliseconds and an offset", () => {
    expect(guanoTimestamp(new Date("2023-01-02T03:04:05Z"))).toBe("2023-01-02T03:04:05.000+00:00");
  });

  test("the guan chunk is padded to an even size", () => {
    const chunk = guanoChunk("abc");
    expect(Array.from(chunk.subarray(0, 4))).toEqual([0x67, 0x75, 0x61, 0x6e]);
    expect(new DataView(chunk.buffer).getUint32(4, true)).toBe(3);
    expect(chunk.byteLength).toBe(12);
  });
});
