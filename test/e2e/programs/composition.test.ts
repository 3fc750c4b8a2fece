/**
 * @module How programs compose, through the real CLI: a bad `summariser_config` refused by name at
 * setup and at check. The in-process composition tests are in test/programs/composition.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { makeTempHome, runAcoupi } from "../../helpers/cli.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";

describe("one home per config field", () => {
  test("a bad summariser_config is refused by name at setup and at check, never as an internal error", () => {
    const home = makeTempHome("acoupi-summariser-");
    try {
      const model = join(home.home, "tiny.onnx");
      writeFileSync(model, energyModel(8000));
      const base = ["setup", "--program", "detection", "--no-prompt", "--model.path", model, "--model.labels.0", "a", "--model.labels.1", "b", "--model.samplerate", "16000", "--model.window", "0.5"];
      const bad = runAcoupi([...base, "--summariser_config.low_band_threshold", "0.6", "--summariser_config.mid_band_threshold", "0.5"], home.env);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("summariser_config");
      expect(bad.stderr).not.toMatch(/internal error|this is a bug/i);

      const good = runAcoupi(base, home.env);
      expect(good.code, good.stderr).toBe(0);
      // Edited by hand past validation: check reads it back and names the key.
      const path = acoupiPaths(home.acoupiHome).programJson;
      const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      json.summariser_config = { interval: 3600, low_band_threshold: 0.9, mid_band_threshold: 0.5, high_band_threshold: 0.95 };
      writeFileSync(path, JSON.stringify(json));
      const check = runAcoupi(["check"], home.env);
      expect(check.code).not.toBe(0);
      expect(check.stderr).toContain("summariser_config");
      expect(check.stderr).not.toMatch(/internal error|this is a bug/i);
    } finally {
      home.cleanup();
    }
  });
});
