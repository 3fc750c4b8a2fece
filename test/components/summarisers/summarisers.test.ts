import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { statisticsSummariser, type PredictedTagSource } from "../../../src/components/summarisers/statistics-summariser.ts";
import { thresholdsSummariser, ThresholdsSummariserConfigSchema } from "../../../src/components/summarisers/thresholds-summariser.ts";
import { tempDir } from "../../helpers/model-fixtures.ts";

/** A tiny SQLite-backed tag source (SqliteStore has not landed yet), queried like acoupi's. */
function sqliteTags(rows: Array<[string, number, string]>): PredictedTagSource & { close(): void } {
  const db = new Database(join(tempDir("acoupi-summary-"), "tags.db"));
  db.run("CREATE TABLE predicted_tag (key TEXT, value TEXT, confidence_score REAL, created_on TEXT)");
  const insert = db.prepare("INSERT INTO predicted_tag VALUES ('species', ?, ?, ?)");
  for (const [value, score, at] of rows) insert.run(value, score, at);
  const query = db.prepare<{ key: string; value: string; confidence_score: number }, [string, string]>(
    "SELECT key, value, confidence_score FROM predicted_tag WHERE created_on >= ? AND created_on <= ? ORDER BY rowid",
  );
  return {
    getPredictedTags: ({ after, before }) => query.all(after.toISOString(), before.toISOString()),
    close: () => db.close(),
  };
}

const NOW = new Date("2026-05-01T12:00:00Z");
const store = sqliteTags([
  ["robin", 0.95, "2026-05-01T11:10:00.000Z"],
  ["robin", 0.6, "2026-05-01T11:20:00.000Z"],
  ["robin", 0.3, "2026-05-01T11:30:00.000Z"],
  ["robin", 0.05, "2026-05-01T11:40:00.000Z"],
  ["wren", 0.5, "2026-05-01T12:00:00.000Z"],
  ["wren", 0.99, "2026-05-01T10:59:59.000Z"],
]);
afterAll(() => store.close());

describe("statisticsSummariser", () => {
  test("statisticsSummariser sends count, mean, min and max per label over the last interval", () => {
    const message = statisticsSummariser({ store, interval: 3600 })(NOW);
    expect(message?.kind).toBe("summary");
    expect(message?.created_on).toBe(NOW);
    expect(message?.content).toBe(
      '{"robin":{"mean":0.475,"min":0.05,"max":0.95,"count":4},"wren":{"mean":0.5,"min":0.5,"max":0.5,"count":1},' +
        '"timeinterval":{"starttime":"2026-05-01T11:00:00Z","endtime":"2026-05-01T12:00:00Z"}}',
    );
  });

  test("statisticsSummariser sends nothing when there were no detections", () => {
    expect(statisticsSummariser({ store, interval: 60 })(new Date("2026-05-01T15:00:00Z"))).toBeNull();
  });
});

describe("thresholdsSummariser", () => {
  test("thresholdsSummariser counts scores in the low, mid and high bands that start at each threshold", () => {
    const message = thresholdsSummariser({ store, interval: 3600, low: 0.1, mid: 0.5, high: 0.9 })(NOW);
    const body = JSON.parse(message?.content ?? "{}");
    expect(body.robin).toEqual({
      count_low_threshold: 1,
      count_mid_threshold: 1,
      count_high_threshold: 1,
      mean_low_threshold: 0.3,
      mean_mid_threshold: 0.6,
      mean_high_threshold: 0.95,
    });
    expect(message?.content).toContain('"wren":{"count_low_threshold":0,"count_mid_threshold":1,"count_high_threshold":0,"mean_low_threshold":0.0,');
    expect(body.timeinterval).toEqual({ starttime: "2026-05-01T11:00:00Z", endtime: "2026-05-01T12:00:00Z" });
  });

  test("thresholdsSummariser sends nothing when there were no detections, and refuses unordered bands", () => {
    expect(thresholdsSummariser({ store, interval: 60 })(new Date("2026-05-02T00:00:00Z"))).toBeNull();
    expect(() => thresholdsSummariser({ store, low: 0.5, mid: 0.2 })).toThrow(RangeError);
    expect(ThresholdsSummariserConfigSchema.safeParse({ low_band_threshold: 0.9, mid_band_threshold: 0.5 }).success).toBe(false);
  });

  test("the summarisers also read rows shaped like PredictedTag", () => {
    const tagged: PredictedTagSource = { getPredictedTags: () => [{ tag: { key: "species", value: "owl" }, confidence_score: 0.7 }] };
    expect(JSON.parse(statisticsSummariser({ store: tagged })(NOW)?.content ?? "{}").owl.count).toBe(1);
  });
});
