import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeBytes, hasFreeSpace } from "../../../src/components/conditions/has-free-space.ts";
import { AcoupiError } from "../../../src/errors.ts";

describe("hasFreeSpace on the real filesystem", () => {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-free-"));
  const now = new Date();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("records when the minimum is 0 MB", () => {
    expect(hasFreeSpace({ path: dir, min_free_mb: 0 })(now)).toBe(true);
  });

  test("does not record when the minimum is larger than any disk", () => {
    expect(hasFreeSpace({ path: dir, min_free_mb: 1e12 })(now)).toBe(false);
  });

  test("compares free space strictly, in decimal megabytes", () => {
    // Other writers share the disk, so two reads differ: the value is the statfs bytes available to
    // us (bavail, not bfree), within what others can write in between, in whole blocks.
    const before = statfsSync(dir);
    const free = freeBytes(dir);
    const after = statfsSync(dir);
    const reads = [before, after].map((s) => Number(s.bavail) * Number(s.bsize));
    const slack = 64 * 1024 * 1024;
    expect(free).toBeGreaterThanOrEqual(Math.min(...reads) - slack);
    expect(free).toBeLessThanOrEqual(Math.max(...reads) + slack);
    expect(free % Number(before.bsize)).toBe(0);
    // Far enough below and above the current free space that other writers cannot flip it.
    const freeMb = freeBytes(dir) / 1e6;
    expect(hasFreeSpace({ path: dir, min_free_mb: freeMb * 0.5 })(now)).toBe(true);
    expect(hasFreeSpace({ path: dir, min_free_mb: freeMb * 2 + 1 })(now)).toBe(false);
  });

  test("a missing folder is measured at its nearest existing parent, where it will be re-created", () => {
    const missing = join(dir, "gone", "tmp");
    expect(hasFreeSpace({ path: missing, min_free_mb: 0 })(now)).toBe(true);
    expect(hasFreeSpace({ path: missing, min_free_mb: 1e12 })(now)).toBe(false);
  });

  test("a path that cannot be measured (under a regular file) throws an AcoupiError naming it", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const bad = join(file, "tmp");
    expect(() => hasFreeSpace({ path: bad, min_free_mb: 0 })(now)).toThrow(AcoupiError);
    expect(() => hasFreeSpace({ path: bad, min_free_mb: 0 })(now)).toThrow(bad);
  });

});
