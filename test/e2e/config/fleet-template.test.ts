import { afterEach, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

const homes: TempHome[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) home.cleanup();
});

function home(): TempHome {
  const made = makeTempHome("acoupi-fleet-");
  homes.push(made);
  return made;
}

describe("a fleet template", () => {
  test("a program.json copied from one sensor holds no path of that sensor's ACOUPI_HOME, and another sensor files under its own home", () => {
    const first = home();
    const outside = mkdtempSync(join(tmpdir(), "acoupi-outside-"));
    try {
      const made = runAcoupi(["setup", "--program", "default", "--no-prompt", "--paths.recordings", join(outside, "recordings")], first.env);
      expect(made.code).toBe(0);
      const template = readFileSync(join(first.acoupiHome, "config/program.json"), "utf8");
      expect(template).not.toContain(first.acoupiHome);
      const stored = JSON.parse(template) as { paths: Record<string, string> };
      expect(stored.paths.tmp_audio).toBe("tmp");
      expect(stored.paths.db_metadata).toBe("storages/metadata.db");
      // A path outside the home stays absolute.
      expect(stored.paths.recordings).toBe(join(outside, "recordings"));

      const second = home();
      const fleet = join(second.home, "fleet.json");
      copyFileSync(join(first.acoupiHome, "config/program.json"), fleet);
      expect(runAcoupi(["setup", "--program", "default", "--config", fleet, "--no-prompt"], second.env).code).toBe(0);
      const shown = runAcoupi(["config", "get", "paths"], second.env);
      expect(shown.code).toBe(0);
      const paths = JSON.parse(shown.stdout) as Record<string, string>;
      expect(paths.tmp_audio).toBe(join(second.acoupiHome, "tmp"));
      expect(paths.db_metadata).toBe(join(second.acoupiHome, "storages/metadata.db"));
      expect(shown.stdout).not.toContain(first.acoupiHome);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  }, 60_000);

  test("a relative path typed at setup is taken from the working directory, then stored relative to the home when it lies under it", () => {
    const sensor = home();
    const made = runAcoupi(["setup", "--program", "default", "--no-prompt", "--paths.recordings", ".acoupi/elsewhere/recordings"], sensor.env, { cwd: sensor.home });
    expect(made.code).toBe(0);
    const stored = JSON.parse(readFileSync(join(sensor.acoupiHome, "config/program.json"), "utf8")) as { paths: Record<string, string> };
    expect(stored.paths.recordings).toBe("elsewhere/recordings");
  }, 60_000);
});
