/** The storage section's values and the order of sacrifice, as pure functions. */
import { describe, expect, test } from "bun:test";
import { ceilingBytes, parseShare, parseSize, planPurge, StorageConfigSchema } from "../../../src/components/retention/retention-policy.ts";
import type { RetentionCandidate } from "../../../src/components/stores/types.ts";
import { recording } from "../../contracts/store.contract.ts";

function candidate(minute: number, hasDetections: boolean, keptForLabel = false): RetentionCandidate {
  return { recording: recording({ created_on: new Date(Date.UTC(2025, 0, 1, 0, minute)), path: `/r/${minute}.wav` }), hasDetections, keptForLabel };
}

describe("the storage section", () => {
  test("sizes take decimal and binary units, shares take a percentage of the filesystem", () => {
    expect(parseSize("500MB")).toBe(500e6);
    expect(parseSize("1.5 GiB")).toBe(1.5 * 2 ** 30);
    expect(parseSize("20gb")).toBe(20e9);
    expect(parseSize("80%")).toBeNull();
    expect(parseShare("80%")).toBe(0.8);
    expect(parseShare("150%")).toBeNull();
    expect(ceilingBytes({ ceiling: "25%" }, 40_000_000)).toBe(10_000_000);
    expect(ceilingBytes({ ceiling: "3MB" }, 40_000_000)).toBe(3_000_000);
  });

  test("a ceiling that is neither a share nor a size is refused with what was expected", () => {
    const result = StorageConfigSchema.safeParse({ ceiling: "lots" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('expected a share of the filesystem such as "80%" or a size such as "20GB", received "lots"');
    expect(StorageConfigSchema.safeParse({ min_free: "10%" }).success).toBe(false);
    expect(StorageConfigSchema.safeParse({ order: [] }).success).toBe(false);
  });

  test("a group left out of the order is never deleted for space, however much is needed", () => {
    const config = StorageConfigSchema.parse({ order: ["detections"] });
    const candidates = [candidate(1, false), candidate(2, true), candidate(3, true, true), candidate(4, true)];
    const plan = planPurge(config, { candidates, needBytes: 1e12, now: new Date(Date.UTC(2025, 0, 2)), sizeOf: () => 1000 });
    expect(plan.map((p) => [p.candidate.recording.path, p.reason])).toEqual([["/r/2.wav", "detections"], ["/r/4.wav", "detections"]]);
  });

  test("planning stops as soon as enough is freed", () => {
    const config = StorageConfigSchema.parse({});
    const candidates = [candidate(1, true), candidate(2, false), candidate(3, false)];
    const plan = planPurge(config, { candidates, needBytes: 1500, now: new Date(Date.UTC(2025, 0, 2)), sizeOf: () => 1000 });
    expect(plan.map((p) => p.candidate.recording.path)).toEqual(["/r/2.wav", "/r/3.wav"]);
  });
});
