import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { withDefaults } from "../../../src/config/with-defaults.ts";
import {
  afterDawnDusk,
  beforeDawnDusk,
  detectionTags,
  detectionTagValue,
  frequencySchedule,
  RecordingSavingSchema,
  saveIfInInterval,
  savingThreshold,
} from "../../../src/components/saving-filters/index.ts";
import { civilTwilight } from "../../../src/time/twilight.ts";
import { ConfigError } from "../../../src/errors.ts";
import { savingFiltersFromConfig } from "../../../src/components/saving-filters/recording-saving.ts";
import { outputWith, recordingAt } from "../../helpers/records.ts";

const LONDON = { latitude: 51.5074, longitude: -0.1278 };

describe("saveIfInInterval", () => {
  const evening = saveIfInInterval({ starttime: "18:00:00", endtime: "20:00:00", timezone: "Europe/London" });

  test("reads the recording's start in the configured zone (acoupi 0.6 compared UTC)", () => {
    expect(evening(recordingAt("2024-06-21T17:00:00Z"), [])).toBe(true); // 18:00 BST
    expect(evening(recordingAt("2024-06-21T19:00:00Z"), [])).toBe(true); // 20:00 BST
    expect(evening(recordingAt("2024-06-21T19:00:01Z"), [])).toBe(false); // 20:00:01 BST
    expect(evening(recordingAt("2024-06-21T16:59:59Z"), [])).toBe(false); // 17:59:59 BST
    expect(evening(recordingAt("2024-12-21T18:30:00Z"), [])).toBe(true); // 18:30 GMT
  });

  test("a window past midnight in Berlin keeps recordings on both sides of it", () => {
    const night = saveIfInInterval({ starttime: "22:00", endtime: "04:00", timezone: "Europe/Berlin" });
    expect(night(recordingAt("2024-03-31T01:30:00Z"), [])).toBe(true); // 03:30 CEST
    expect(night(recordingAt("2024-03-31T02:30:00Z"), [])).toBe(false); // 04:30 CEST
    expect(night(recordingAt("2024-03-30T21:00:00Z"), [])).toBe(true); // 22:00 CET
  });
});

describe("frequencySchedule", () => {
  test("keeps the first 5 minutes of every 30", () => {
    const filter = frequencySchedule({ duration: 5, frequency: 30 });
    expect(filter(recordingAt("2024-06-21T10:00:00Z"), [])).toBe(true);
    expect(filter(recordingAt("2024-06-21T10:04:59Z"), [])).toBe(true);
    expect(filter(recordingAt("2024-06-21T10:05:00Z"), [])).toBe(false);
    expect(filter(recordingAt("2024-06-21T10:29:00Z"), [])).toBe(false);
    expect(filter(recordingAt("2024-06-21T10:32:30Z"), [])).toBe(true);
  });

  test("reads the minute in the configured zone, which matters in half-hour zones", () => {
    // 10:02Z is 15:32 in Kolkata (UTC+5:30): minute 32 % 30 = 2 < 5, but with frequency 60 it is 32.
    const utc = frequencySchedule({ duration: 5, frequency: 60, timezone: "UTC" });
    const kolkata = frequencySchedule({ duration: 5, frequency: 60, timezone: "Asia/Kolkata" });
    expect(utc(recordingAt("2024-06-21T10:02:00Z"), [])).toBe(true);
    expect(kolkata(recordingAt("2024-06-21T10:02:00Z"), [])).toBe(false);
    expect(kolkata(recordingAt("2024-06-21T09:32:00Z"), [])).toBe(true); // 15:02 IST
  });

  test("a period of 0 minutes is a ConfigError", () => {
    expect(() => frequencySchedule({ duration: 5, frequency: 0 })).toThrow(ConfigError);
  });
});

describe("before and after dawn/dusk", () => {
  const { dawn, dusk } = civilTwilight({ year: 2024, month: 6, day: 21 }, LONDON.latitude, LONDON.longitude, "Europe/London");
  if (dawn === null || dusk === null) throw new Error("London has civil dawn and dusk in June");
  const iso = (ms: number) => new Date(ms).toISOString();
  const before = beforeDawnDusk({ duration: 10, ...LONDON, timezone: "Europe/London" });
  const after = afterDawnDusk({ duration: 10, ...LONDON, timezone: "Europe/London" });

  test("beforeDawnDusk keeps the 10 minutes up to civil dawn and dusk, inclusive", () => {
    for (const event of [dawn, dusk]) {
      const t = event.getTime();
      expect(before(recordingAt(iso(t - 600_000)), [])).toBe(true);
      expect(before(recordingAt(iso(t)), [])).toBe(true);
      expect(before(recordingAt(iso(t - 601_000)), [])).toBe(false);
      expect(before(recordingAt(iso(t + 1000)), [])).toBe(false);
    }
  });

  test("afterDawnDusk keeps the 10 minutes from civil dawn and dusk, inclusive", () => {
    for (const event of [dawn, dusk]) {
      const t = event.getTime();
      expect(after(recordingAt(iso(t)), [])).toBe(true);
      expect(after(recordingAt(iso(t + 600_000)), [])).toBe(true);
      expect(after(recordingAt(iso(t - 1000)), [])).toBe(false);
      expect(after(recordingAt(iso(t + 601_000)), [])).toBe(false);
    }
  });

  test("without configured coordinates the recording's deployment coordinates are used", () => {
    const fromDeployment = beforeDawnDusk({ duration: 10, timezone: "Europe/London" });
    const time = iso(dawn.getTime() - 60_000);
    expect(fromDeployment(recordingAt(time, LONDON), [])).toBe(true);
    expect(fromDeployment(recordingAt(time, { latitude: -33.8688, longitude: 151.2093 }), [])).toBe(false);
    expect(fromDeployment(recordingAt(time), [])).toBe(false); // no coordinates anywhere
  });

  test("is false under the midnight sun, without throwing", () => {
    const svalbard = afterDawnDusk({ duration: 60, latitude: 78.2232, longitude: 15.6267, timezone: "Arctic/Longyearbyen" });
    expect(svalbard(recordingAt("2024-06-21T01:00:00Z"), [])).toBe(false);
  });
});

describe("detection filters", () => {
  const recording = recordingAt("2024-06-21T12:00:00Z");
  const outputs = [
    outputWith(recording, [{ score: 0.2, tags: [["species", "Pipistrellus pipistrellus", 0.9]] }]),
    outputWith(recording, [{ score: 0.7, tags: [["species", "Myotis daubentonii", 0.4], ["call", "social", 0.8]] }]),
  ];

  test("savingThreshold keeps a recording with any detection at or above the threshold", () => {
    expect(savingThreshold(0.7)(recording, outputs)).toBe(true);
    expect(savingThreshold(0.71)(recording, outputs)).toBe(false);
    expect(savingThreshold(0)(recording, [])).toBe(false);
  });

  test("detectionTagValue matches tag values whatever the score", () => {
    expect(detectionTagValue(["Pipistrellus pipistrellus"])(recording, outputs)).toBe(true);
    expect(detectionTagValue(["Nyctalus noctula"])(recording, outputs)).toBe(false);
    expect(detectionTagValue(["social"])(recording, [])).toBe(false);
  });

  test("detectionTags needs key and value equal and both scores at the threshold", () => {
    const social = { key: "call", value: "social" };
    const myotis = { key: "species", value: "Myotis daubentonii" };
    const pip = { key: "species", value: "Pipistrellus pipistrellus" };
    expect(detectionTags({ tags: [social], saving_threshold: 0.7 })(recording, outputs)).toBe(true);
    expect(detectionTags({ tags: [myotis], saving_threshold: 0.5 })(recording, outputs)).toBe(false); // confidence 0.4
    expect(detectionTags({ tags: [pip], saving_threshold: 0.5 })(recording, outputs)).toBe(false); // detection 0.2
    expect(detectionTags({ tags: [{ key: "genus", value: "social" }] })(recording, outputs)).toBe(false);
  });
});

describe("recording_saving", () => {
  test("the schema has acoupi's keys and default-program defaults", () => {
    expect(RecordingSavingSchema.parse({})).toEqual({
      starttime: "18:00:00",
      endtime: "20:00:00",
      before_dawndusk_duration: 10,
      after_dawndusk_duration: 10,
      frequency_duration: 5,
      frequency_interval: 30,
    });
    expect(withDefaults(z.object({ s: RecordingSavingSchema }), { s: { starttime: "18:30" } }).parse({ s: { endtime: "21:00" } }).s).toMatchObject({ starttime: "18:30:00", endtime: "21:00:00" });
  });

  test("builds the window, frequency and both dawn/dusk filters from the defaults", () => {
    const filters = savingFiltersFromConfig(RecordingSavingSchema.parse({}), { timezone: "Europe/London", ...LONDON });
    expect(filters).toHaveLength(4);
    const [window, frequency] = filters;
    expect(window?.(recordingAt("2024-06-21T17:30:00Z"), [])).toBe(true); // 18:30 BST
    expect(frequency?.(recordingAt("2024-06-21T10:31:00Z"), [])).toBe(true);
  });

  test("leaves out filters whose numbers are 0, and none at all without the section", () => {
    const config = RecordingSavingSchema.parse({ frequency_duration: 0, before_dawndusk_duration: 0, after_dawndusk_duration: 0 });
    expect(savingFiltersFromConfig(config, { timezone: "UTC" })).toHaveLength(1);
    expect(savingFiltersFromConfig(RecordingSavingSchema.parse({ frequency_interval: 0 }), { timezone: "UTC" })).toHaveLength(3);
    expect(savingFiltersFromConfig(null, { timezone: "UTC" })).toEqual([]);
  });
});
