import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { useColour } from "../../../src/cli/usage.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

let home: TempHome;
/** The environment of a person's shell: no NO_COLOR, output to a pipe. */
let plain: Record<string, string>;
beforeAll(() => {
  home = makeTempHome();
  plain = { ...home.env, NO_COLOR: "" };
});
afterAll(() => home.cleanup());

describe("help output", () => {
  test("has no colour codes when written to a pipe, even without NO_COLOR", () => {
    for (const args of [["--help"], ["recordings", "--help"], ["config", "set", "--help"]]) {
      const help = runAcoupi(args, plain);
      expect(help.code).toBe(0);
      expect(help.stdout).not.toContain("\u001b[");
    }
  });

  test("colour only on a terminal, and never with NO_COLOR set to anything", () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: "true" })).toBe(false);
    expect(useColour({ isTTY: false }, {})).toBe(false);
  });

  test("nested usage lines name the whole command, and no option shows an empty (Default: )", () => {
    const set = runAcoupi(["config", "set", "--help"], plain).stdout;
    expect(set).toContain("USAGE acoupi config set [OPTIONS]");
    const start = runAcoupi(["deployment", "start", "--help"], plain).stdout;
    expect(start).toContain("USAGE acoupi deployment start [OPTIONS]");
    expect(start).not.toContain("(Default: )");
    expect(runAcoupi(["recordings", "--help"], plain).stdout).toContain("USAGE acoupi recordings [OPTIONS]");
  });

  test("every help page fits 100 columns", () => {
    for (const args of [["--help"], ["recordings", "--help"], ["detections", "--help"], ["export", "--help"], ["setup", "--help"], ["deployment", "start", "--help"]]) {
      const lines = runAcoupi(args, plain).stdout.split("\n");
      expect(lines.filter((l) => l.length > 100)).toEqual([]);
    }
  });
});

describe("typos and names", () => {
  test("an unknown option is refused with a did-you-mean, not ignored (`--sinse` once listed every recording)", () => {
    const result = runAcoupi(["recordings", "--sinse", "2d"], plain);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("Error: Unknown option --sinse for `acoupi recordings`: did you mean --since?\nHelp: Run `acoupi recordings --help` to list its options\n");
  });

  test("an unknown command gets the nearest few names, not the whole list", () => {
    const result = runAcoupi(["stauts"], plain);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown command "stauts" for `acoupi`: did you mean status or start?');
    expect(runAcoupi(["config", "sett", "a", "b"], plain).stderr).toContain('Unknown command "sett" for `acoupi config`: did you mean set or get?');
  });

  test("dotted config flags stay accepted by setup, and an unknown config key gets the nearest keys, not all 90", () => {
    const setup = runAcoupi(["setup", "--program", "connected", "--no-prompt", "--mqtt.password", "x"], plain);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain("Unknown option --mqtt.password: it is not a configuration key of this program");
    expect(setup.stderr).toContain("Help: Did you mean messaging.mqtt.password?");
    expect(setup.stderr.length).toBeLessThan(400);
    expect(runAcoupi(["setup", "--program", "connected", "--no-prompt", "--messaging.mqtt.password", "x", "--messaging.mqtt.host", "h"], plain).code).toBe(0);
    const get = runAcoupi(["config", "get", "recording.duraton"], plain);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain("Did you mean recording.duration?");
  }, 30_000);

  test("program names and choice answers are case-insensitive (`BirdNET`, `Mute`)", () => {
    const setup = runAcoupi(["setup", "--program", "Default", "--no-prompt", "--privacy.enabled", "true", "--privacy.action", "Mute"], plain);
    expect(setup.code).toBe(0);
    expect(readFileSync(join(home.acoupiHome, "config/name"), "utf8").trim()).toBe("default");
    expect(JSON.parse(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8")).privacy.action).toBe("mute");
    const birdnet = runAcoupi(["setup", "--program", "BirdNET", "--no-prompt"], plain);
    // Found by that name: what it refuses is the missing model, not the program.
    expect(birdnet.stderr).not.toContain("not found");
    expect(birdnet.stderr).toContain("model.path");
  }, 30_000);
});
