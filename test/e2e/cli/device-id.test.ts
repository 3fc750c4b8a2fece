/** @module `acoupi setup --device-id` refuses an id that cannot be an MQTT topic level, before writing anything. */
import { describe, expect, test } from "bun:test";
import { makeTempHome, runAcoupi } from "../../helpers/cli.ts";

describe("acoupi setup --device-id", () => {
  test("an id with an MQTT wildcard, a / or a control character is refused before anything is written", () => {
    const home = makeTempHome();
    try {
      for (const id of ["site+1", "a#b", "garden/7"]) {
        const result = runAcoupi(["setup", "--program", "default", "--no-prompt", "--device-id", id], home.env);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`The device id "${id}" cannot be used`);
        expect(result.stderr).toContain("--device-id garden-07");
      }
      expect(runAcoupi(["config", "show"], home.env).code).toBe(1);
      const ok = runAcoupi(["setup", "--program", "default", "--no-prompt", "--device-id", "garden-07"], home.env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("Device id: garden-07 (set with --device-id or ACOUPI_DEVICE_ID)");
    } finally {
      home.cleanup();
    }
  });
});
