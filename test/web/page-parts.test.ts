/**
 * @module The page's pure parts: a detection clip's span (padding, bounds, no times), the clip
 * WAV cut from a file (its own header, the span's exact samples), times in a zone with the zone
 * named and the UTC start of a local day across a DST change, and the heat grid's cells and
 * escaping of a hostile row label.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseWav, wavHeader, wavSamples16 } from "../../src/audio/wav.ts";
import { heatGrid } from "../../src/web/charts.ts";
import { clipBytes, clipSpan } from "../../src/web/clip.ts";
import { localDayStart, zoned, zonedParts } from "../../src/web/time-zone.ts";

describe("a detection's clip", () => {
  test("covers the detection with a second either side, within the recording", () => {
    expect(clipSpan({ start_time_s: 2.5, end_time_s: 3, duration_s: 6 })).toEqual({ start: 1.5, end: 4 });
    expect(clipSpan({ start_time_s: 0.2, end_time_s: 5.8, duration_s: 6 })).toEqual({ start: 0, end: 6 });
    expect(clipSpan({ start_time_s: 10, end_time_s: 100, duration_s: 3600 })).toEqual({ start: 9, end: 21 });
    expect(clipSpan({ start_time_s: null, end_time_s: null, duration_s: 3600 })).toEqual({ start: 0, end: 11 });
  });

  test("is a WAV of its own holding exactly the span's samples, also for a time-expanded file", () => {
    const dir = mkdtempSync(join(tmpdir(), "acoupi-clip-"));
    try {
      const samples = Int16Array.from({ length: 8000 * 4 }, (_, i) => (i % 30_000) - 15_000);
      const path = join(dir, "r.wav");
      writeFileSync(path, Buffer.concat([wavHeader({ samplerate: 8000, channels: 1, bitsPerSample: 16 }, samples.byteLength), new Uint8Array(samples.buffer)]));
      const clip = clipBytes(path, { start: 1, end: 2.5 }, 1);
      expect(parseWav(clip).format.samplerate).toBe(8000);
      expect([...wavSamples16(clip)]).toEqual([...samples.subarray(8000, 20_000)]);
      // A ×10 file: its header rate is a tenth of the real rate, and real seconds map to 10× as many header seconds.
      const expanded = clipBytes(path, { start: 0.1, end: 0.25 }, 10);
      expect([...wavSamples16(expanded)]).toEqual([...samples.subarray(8000, 20_000)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("times on the page", () => {
  test("are shown in the deployment's zone with the zone named", () => {
    expect(zoned("2024-07-01T12:00:00.000Z", "Europe/London")).toBe("2024-07-01 13:00:00 BST");
    expect(zoned("2024-01-01T12:00:00.000Z", "UTC")).toBe("2024-01-01 12:00:00 UTC");
    expect(zonedParts(Date.parse("2024-07-01T03:30:00Z"), "America/New_York")).toMatchObject({ date: "2024-06-30", hour: 23 });
  });

  test("a local day starts at its local midnight, on the days the clocks change too", () => {
    expect(localDayStart("2024-07-01", "Europe/London").toISOString()).toBe("2024-06-30T23:00:00.000Z");
    expect(localDayStart("2024-03-31", "Europe/London").toISOString()).toBe("2024-03-31T00:00:00.000Z");
    expect(localDayStart("2024-10-27", "Europe/London").toISOString()).toBe("2024-10-26T23:00:00.000Z");
    expect(localDayStart("2024-07-01", "Asia/Kolkata").toISOString()).toBe("2024-06-30T18:30:00.000Z");
  });
});

describe("the heat grid", () => {
  test("has one cell per row and column with its count, and escapes every label", () => {
    const svg = heatGrid({
      title: "t",
      rows: ["<img src=x onerror=alert(1)>", "b"],
      columns: ["0", "1", "2"],
      count: (r, c) => (r === 1 && c === 2 ? 5 : 0),
      rowLabel: (r) => ["<img src=x onerror=alert(1)>", "b"][r] as string,
      columnTick: (c) => String(c),
      rowAttr: "species",
      columnAttr: "hour",
    });
    expect(svg.match(/<rect /g)?.length).toBe(6);
    expect(svg).toContain('data-species="b" data-hour="2" data-count="5"');
    expect(svg).not.toContain("<img");
    expect(svg).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});
