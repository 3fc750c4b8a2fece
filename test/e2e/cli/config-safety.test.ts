import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { runOnPty } from "../../helpers/pty.ts";
import { demoAudio } from "../../helpers/deployment.ts";

let home: TempHome;
let env: Record<string, string>;
beforeEach(() => {
  home = makeTempHome();
  writeFileSync(join(home.home, "mic.raw"), demoAudio(5));
  writeFileSync(join(home.home, "alsa.conf"), fakeMicConfig("safemic", join(home.home, "mic.raw")));
  env = { ...home.env, ACOUPI_ALSA_CONFIG: join(home.home, "alsa.conf") };
});
afterEach(() => {
  runAcoupi(["stop"], env);
  home.cleanup();
});

const programJson = () => JSON.parse(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8"));
const deploymentFile = () => join(home.acoupiHome, "config/deployment.json");

function setUp(program: string, ...extra: string[]): void {
  const result = runAcoupi(["setup", "--program", program, "--no-prompt", "--microphone.device_name", "safemic", "--microphone.samplerate", "16000", ...extra], env);
  expect(result.stderr).toBe("");
}

describe("settings that would discard recordings", () => {
  test("a dawn/dusk saving filter without coordinates refuses to start, naming the key", () => {
    setUp("default", "--recording_saving.starttime", "18:00");
    const start = runAcoupi(["start", "--name", "no-coords", "--no-check"], env);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain("recording_saving.before_dawndusk_duration and recording_saving.after_dawndusk_duration need the deployment's coordinates");
    expect(start.stderr).toContain("--latitude");
    expect(existsSync(deploymentFile())).toBe(false);
  });

  test("on a terminal, start asks for the coordinates it needs, as acoupi 0.6 did", () => {
    setUp("default", "--recording_saving.starttime", "18:00");
    const run = runOnPty(
      ["start", "--name", "asked", "--no-check"],
      [
        { expect: "Latitude of the deployment, in degrees: $", send: "95\r" },
        { expect: "between -90 and 90", send: "" },
        { expect: "Latitude of the deployment, in degrees: $", send: "51.5\r" },
        { expect: "Longitude of the deployment, in degrees: $", send: "-0.12\r" },
        { expect: 'Deployment "asked" started', send: "" },
      ],
      env,
    );
    expect(run.failed).toBeNull();
    expect(run.code).toBe(0);
    const deployment = JSON.parse(readFileSync(deploymentFile(), "utf8"));
    expect([deployment.latitude, deployment.longitude]).toEqual([51.5, -0.12]);
  }, 60_000);

  test("switching on a dawn/dusk filter under a deployment without coordinates is refused", () => {
    setUp("default");
    expect(runAcoupi(["start", "--name", "bare", "--no-check"], env).code).toBe(0);
    const before = readFileSync(join(home.acoupiHome, "config/program.json"));
    const set = runAcoupi(["config", "set", "recording_saving.starttime", "19:00"], env);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain('the deployment "bare" has none: every recording would be discarded');
    expect(readFileSync(join(home.acoupiHome, "config/program.json")).equals(before)).toBe(true);
  });

  test("setting one key of an unset optional section says it switches the section on, with the defaults it took", () => {
    setUp("default");
    const set = runAcoupi(["config", "set", "recording_saving.starttime", "19:00"], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("recording_saving was not set: this switches it on");
    expect(set.stdout).toContain('recording_saving.starttime: null → "19:00:00"');
    expect(set.stdout).toContain("recording_saving.before_dawndusk_duration: null → 10");
  });

  test("setting an HTTP key on an MQTT program says that messages now go over HTTP instead", () => {
    setUp("connected", "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.password", "pw-1234");
    const set = runAcoupi(["config", "set", "messaging.http.base_url", "http://127.0.0.1:9/in"], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("messaging.http was not set: this switches it on (Send messages to an HTTP endpoint; when set it is used instead of mqtt)");
    expect(set.stdout).toContain('messaging.http.base_url: null → "http://127.0.0.1:9/in"');
    expect(set.stdout).not.toContain("pw-1234");
  });

  test("setup again prints what changed from the previous setup, and a program switch says so", () => {
    setUp("connected", "--messaging.mqtt.host", "127.0.0.1");
    const again = runAcoupi(["setup", "--program", "connected", "--no-prompt", "--microphone.device_name", "safemic", "--microphone.samplerate", "16000", "--messaging.mqtt.host", "127.0.0.1", "--messaging.http.base_url", "http://127.0.0.1:9/in"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Changed from the previous setup:\n  messaging.http.base_url: null → "http://127.0.0.1:9/in"');
    const other = runAcoupi(["setup", "--program", "default", "--no-prompt"], env);
    expect(other.stdout).toContain('The program changed from "connected" to "default"');
  });

  test("replacing the whole configuration needs --replace, and then prints each change", () => {
    setUp("default");
    const before = readFileSync(join(home.acoupiHome, "config/program.json"));
    const refused = runAcoupi(["config", "set", "--field", "", '{"recording": {"duration": 5}}'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Replacing the whole configuration needs --replace");
    expect(readFileSync(join(home.acoupiHome, "config/program.json")).equals(before)).toBe(true);
    const replaced = runAcoupi(["config", "set", "--replace", '{"recording": {"duration": 5, "interval": 10}}'], env);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('microphone.device_name: "safemic" → "default"');
    expect(replaced.stdout).toContain("recording.duration: 3 → 5");
    expect(programJson().recording.duration).toBe(5);
  });

  test("config diff shows what differs from the program's defaults, secrets masked", () => {
    setUp("connected", "--messaging.mqtt.host", "broker.local", "--messaging.mqtt.password", "pw-1234", "--timezone", "Asia/Tokyo");
    const diff = runAcoupi(["config", "diff"], env);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('microphone.device_name: "default" → "safemic"');
    expect(diff.stdout).toContain("microphone.samplerate: 48000 → 16000");
    expect(diff.stdout).toContain('messaging.mqtt.host: null → "broker.local"');
    expect(diff.stdout).toContain("messaging.mqtt.password: (secret changed)");
    expect(diff.stdout).not.toContain("pw-1234");
    expect(diff.stdout).not.toContain("recording.duration");
  });
});
