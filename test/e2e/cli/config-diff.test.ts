import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
});
afterEach(() => home.cleanup());

describe("acoupi config diff", () => {
  test("shows only what the user changed: a section switched on is one line, not every default of it as null → value", () => {
    const setup = runAcoupi(["setup", "--program", "connected", "--no-prompt", "--messaging.mqtt.host", "10.0.0.2", "--messaging.mqtt.port", "1884", "--recording.duration", "5"], home.env);
    expect(setup.code).toBe(0);
    const diff = runAcoupi(["config", "diff"], home.env);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe([
      'Settings that differ from the defaults of program "connected" (default → current):',
      "  messaging.mqtt: switched on (unset by default)",
      "  recording.duration: 3 → 5",
      "  messaging.mqtt.port: 1883 → 1884",
      '  messaging.mqtt.host: null → "10.0.0.2"',
      "",
    ].join("\n"));
  }, 30_000);

  test("a configuration of defaults only says so", () => {
    expect(runAcoupi(["setup", "--program", "default", "--no-prompt"], home.env).code).toBe(0);
    expect(runAcoupi(["config", "diff"], home.env).stdout).toBe('Every setting is the default of program "default"\n');
  }, 30_000);
});
