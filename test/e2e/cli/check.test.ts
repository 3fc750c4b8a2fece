import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { demoAudio, SILERO_MODEL } from "../../helpers/deployment.ts";

let home: TempHome;
let env: Record<string, string>;
let micRaw: string;
beforeEach(() => {
  home = makeTempHome();
  micRaw = join(home.home, "mic.raw");
  writeFileSync(micRaw, demoAudio(2));
  writeFileSync(join(home.home, "alsa.conf"), fakeMicConfig("checkmic", micRaw));
  env = { ...home.env, ACOUPI_ALSA_CONFIG: join(home.home, "alsa.conf") };
});
afterEach(() => {
  runAcoupi(["stop"], env);
  home.cleanup();
});

function setUp(program: string, ...extra: string[]): void {
  const result = runAcoupi(["setup", "--program", program, "--no-prompt", "--microphone.device_name", "checkmic", "--microphone.samplerate", "16000", ...extra], env);
  expect(result.stderr).toBe("");
}

describe("acoupi check says what it tested", () => {
  test("it prints the device opened, the rate and channels granted, the level captured and the free space", () => {
    setUp("default");
    const check = runAcoupi(["check"], env);
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('Opened capture device "checkmic": 16000 Hz, 1 channel granted');
    expect(check.stdout).toMatch(/Captured 0\.1 s: level -\d+\.\d dBFS RMS, -?\d+\.\d dBFS peak/);
    expect(check.stdout).toMatch(new RegExp(`\\npassed  paths\\.recordings +${home.acoupiHome}/storages/recordings is writable, [\\d,]+ MB free`));
    expect(check.stdout).toMatch(/\nRESULT +CHECK +WHAT IT SAW\n/);
    expect(check.stdout).toMatch(/\n\d+ passed, 0 warned, 0 failed\n/);
    expect(check.stdout).toContain("Health checks passed\n");
  });

  test("a silent (all-zero) microphone is a warning, and a failure with --strict", () => {
    writeFileSync(micRaw, new Uint8Array(16000 * 2));
    setUp("default");
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("level -inf dBFS RMS");
    expect(check.stdout).toMatch(/\nwarned  microphone +The capture from "checkmic" is flat \(every sample 0\)/);
    expect(check.stdout).toContain("Health checks passed with 1 warning");
    const strict = runAcoupi(["check", "--strict"], env);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("Health checks found 1 warning (--strict)");
  });

  test("a recordings path that cannot be created is an error naming the key and the path, not a bug", () => {
    const blocker = join(home.home, "a-file");
    writeFileSync(blocker, "not a folder");
    setUp("default", "--paths.recordings", join(blocker, "recordings"));
    const message = `paths.recordings cannot be used: the folder "${join(blocker, "recordings")}" cannot be created or written (ENOTDIR)`;
    // check reports it in its table, once, and still runs the checks after it.
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`failed  folders`);
    expect(`${check.stdout}${check.stderr}`.split(message).length - 1).toBe(1);
    expect(check.stdout).toMatch(/warned  program +Not run: the program cannot start without its folders/);
    expect(check.stdout).toMatch(/(passed|warned)  clock /);
    expect(check.stderr).toContain("Error: Health checks failed (folders): see the table above");
    expect(check.stderr).not.toContain("bug");
    const start = runAcoupi(["start", "--name", "x", "--latitude", "1", "--longitude", "1"], env);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(message);
    expect(start.stderr).not.toContain("bug");
    expect(existsSync(join(home.acoupiHome, "config/deployment.json"))).toBe(false);
  });

  test("a capture device that does not exist fails in the table, with libasound's own message kept off the terminal", () => {
    setUp("default", "--microphone.device_name", "hw:7,0");
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(1);
    // A failed row goes to stderr, where errors go; on a terminal the table reads in order.
    expect(check.stderr).toMatch(/failed  recording +Cannot open capture device "hw:7,0": No such file or directory/);
    expect(check.stderr).not.toContain("ALSA lib");
    expect(`${check.stdout}${check.stderr}`.split('Cannot open capture device "hw:7,0"').length - 1).toBe(1);
    // Every check ran: the folders passed, and the clock was read.
    expect(check.stdout).toMatch(/passed  paths\.db_metadata/);
    expect(check.stdout).toMatch(/(passed|warned)  clock +\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });

  test("it prints the model's input and output shapes", () => {
    setUp("detection", "--model.kind", "silero_vad", "--model.path", SILERO_MODEL);
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/Model "[^"]+" \(Silero VAD\) loaded from .*silero_vad_v5\.onnx: inputs input \[\?,\?\] float32, state \[2,\?,128\] float32, sr \[\] int64; outputs output \[\?,1\] float32, stateN \[\?,\?,\?\] float32/);
  }, 30_000);

  test("an unreachable broker fails check, but start only warns and recording starts", () => {
    setUp("connected", "--messaging.mqtt.host", "no-such-broker.invalid", "--messaging.mqtt.timeout", "1");
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("no-such-broker.invalid");
    const start = runAcoupi(["start", "--name", "offline", "--latitude", "51.5", "--longitude", "-0.1"], env);
    expect(start.code).toBe(0);
    expect(start.stderr).toMatch(/Warning: .*no-such-broker\.invalid.*; messages wait in the outbox until it is reachable/);
    expect(start.stdout).toContain('Deployment "offline" started');
    expect(JSON.parse(readFileSync(join(home.acoupiHome, "config/deployment.json"), "utf8")).ended_on).toBeUndefined();
  }, 30_000);
});
