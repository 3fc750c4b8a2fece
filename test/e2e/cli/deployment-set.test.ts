import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { runOnPty } from "../../helpers/pty.ts";

let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
  writeFileSync(join(home.home, ".asoundrc"), fakeMicConfig("fieldmic", "/dev/zero"));
  expect(runAcoupi(["setup", "--program", "default", "--no-prompt", "--microphone.device_name", "fieldmic"], home.env).code).toBe(0);
});
afterEach(() => {
  runAcoupi(["stop"], home.env);
  home.cleanup();
});

const deployment = () => JSON.parse(readFileSync(join(home.acoupiHome, "config/deployment.json"), "utf8"));

describe("naming a deployment", () => {
  test("start on a terminal with no name or coordinates asks for them, as acoupi 0.6 did", () => {
    const run = runOnPty(["start", "--no-check"], [
      { expect: "Name of the deployment \\(a site, a season\\) \\[[^\\]]*\\]: $", send: "Wood 7 spring\r" },
      { expect: "Latitude of the deployment, in degrees \\(Enter to leave it out\\): $", send: "95\r" },
      { expect: 'Invalid --latitude "95": expected a number between -90 and 90', send: "" },
      { expect: "Latitude of the deployment, in degrees \\(Enter to leave it out\\): $", send: "51.75\r" },
      { expect: "Longitude of the deployment, in degrees \\(Enter to leave it out\\): $", send: "-1.25\r" },
      { expect: 'Deployment "Wood 7 spring" started', send: "" },
    ], home.env);
    if (run.failed) console.error(run.transcript.slice(-1500));
    expect(run.failed).toBeNull();
    expect(deployment()).toMatchObject({ name: "Wood 7 spring", latitude: 51.75, longitude: -1.25 });
  }, 60_000);

  test("acoupi deployment set corrects the active deployment's name and coordinates, and the correction is recorded", () => {
    expect(runAcoupi(["start", "--no-check", "--name", "Wod 7", "--latitude", "15.75", "--longitude", "-1.25"], home.env).code).toBe(0);
    const before = deployment();
    const set = runAcoupi(["deployment", "set", "--name", "Wood 7", "--latitude", "51.75"], home.env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Corrected the deployment "Wod 7":\n  name: "Wod 7" → "Wood 7"\n  latitude: 15.75 → 51.75\n');
    expect(deployment()).toMatchObject({ id: before.id, name: "Wood 7", latitude: 51.75, longitude: -1.25 });
    const [record] = readFileSync(join(home.acoupiHome, "config/deployment-corrections.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(record).toMatchObject({ deployment: before.id, before: { name: "Wod 7", latitude: 15.75 }, after: { name: "Wood 7", latitude: 51.75, longitude: -1.25 } });
    const bad = runAcoupi(["deployment", "set", "--longitude", "200"], home.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid --longitude "200"');
    expect(deployment().longitude).toBe(-1.25);
  }, 60_000);

  test("with no active deployment there is nothing to correct", () => {
    const set = runAcoupi(["deployment", "set", "--name", "x"], home.env);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain("No deployment is active, so there is none to correct");
  }, 30_000);
});
