/**
 * @module How analyze dates a file: GUANO with an offset, then an AudioMoth-style name in UTC,
 * then GUANO without an offset (as UTC), then the modification time.
 */
import { describe, expect, test } from "bun:test";
import { recordingStart } from "../../src/analyze/start-time.ts";

const MTIME = new Date("2030-01-01T00:00:00Z");

describe("recordingStart", () => {
  test("a GUANO timestamp with a UTC offset wins over the file name", () => {
    expect(recordingStart({ guanoTimestamp: "2024-05-01T21:30:00+02:00", fileName: "20240501_213000.WAV", mtime: MTIME })).toEqual({
      start: new Date("2024-05-01T19:30:00Z"),
      source: "guano",
    });
  });

  test("an AudioMoth name is read in UTC when GUANO states no offset", () => {
    expect(recordingStart({ guanoTimestamp: "2024-05-01T21:30:00", fileName: "20240501_193000.WAV", mtime: MTIME })).toEqual({
      start: new Date("2024-05-01T19:30:00Z"),
      source: "name",
    });
    expect(recordingStart({ fileName: "20240501_193000_250_ab12cd34.wav", mtime: MTIME }).start).toEqual(new Date("2024-05-01T19:30:00.250Z"));
  });

  test("a name whose fields are not a real date is not a time", () => {
    expect(recordingStart({ fileName: "20241332_250000.WAV", mtime: MTIME })).toEqual({ start: MTIME, source: "mtime" });
  });

  test("a GUANO timestamp without an offset is read as UTC when the name holds no time", () => {
    expect(recordingStart({ guanoTimestamp: "2024-05-01 21:30:00", fileName: "pipistrelle.wav", mtime: MTIME })).toEqual({
      start: new Date("2024-05-01T21:30:00Z"),
      source: "guano-no-offset",
    });
  });

  test("the modification time is the last resort", () => {
    expect(recordingStart({ fileName: "bat.wav", mtime: MTIME })).toEqual({ start: MTIME, source: "mtime" });
  });
});
