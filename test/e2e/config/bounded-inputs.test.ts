import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { demoAudio, SILERO_MODEL } from "../../helpers/deployment.ts";

let home: TempHome;
let env: Record<string, string>;
beforeEach(() => {
  home = makeTempHome();
  writeFileSync(join(home.home, "mic.raw"), demoAudio(1));
  writeFileSync(join(home.home, "alsa.conf"), fakeMicConfig("boundmic", join(home.home, "mic.raw")));
  env = { ...home.env, ACOUPI_ALSA_CONFIG: join(home.home, "alsa.conf") };
});
afterEach(() => home.cleanup());

/** A sparse file of `bytes`: as large as a real one to stat, but it takes no disk and no time. */
function sparse(name: string, bytes: number): string {
  const path = join(home.home, name);
  const fd = openSync(path, "w");
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

const GB = 1024 * 1024 * 1024;
const mic = ["--microphone.device_name", "boundmic", "--microphone.samplerate", "16000"];
const classifier = ["--model.samplerate", "16000", "--model.window", "0.5"];

describe("files are read within limits that fit a Pi", () => {
  test("a 1 GB labels file is refused before it is read, naming the file and the limit", () => {
    const labels = sparse("labels.txt", GB);
    expect(runAcoupi(["setup", "--program", "detection", "--no-prompt", ...mic, ...classifier, "--model.path", SILERO_MODEL, "--model.labels", labels], env).code).toBe(0);
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`Labels file "${labels}" (model.labels) is ${GB} bytes, over the limit of 4194304 bytes`);
  });

  test("a label with a NUL byte is refused, naming the line", () => {
    const labels = join(home.home, "labels.txt");
    writeFileSync(labels, "speech\nbird\u0000song\nnoise\n");
    expect(runAcoupi(["setup", "--program", "detection", "--no-prompt", ...mic, ...classifier, "--model.path", SILERO_MODEL, "--model.labels", labels], env).code).toBe(0);
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`Labels file "${labels}" (model.labels) line 2 contains the control character U+0000`);
  });

  test("a 1 GB model file is refused before it is read, naming the file and the limit", () => {
    const model = sparse("model.onnx", GB);
    const labels = join(home.home, "labels.txt");
    writeFileSync(labels, "speech\n");
    expect(runAcoupi(["setup", "--program", "detection", "--no-prompt", ...mic, ...classifier, "--model.path", model, "--model.labels", labels], env).code).toBe(0);
    const check = runAcoupi(["check"], env);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`Model file "${model}" (model.path) is ${GB} bytes, over the limit of 268435456 bytes`);
  });

  test("a 1 GB config file is refused, naming the file and the limit", () => {
    const config = sparse("program.json", GB);
    const setup = runAcoupi(["setup", "--program", "default", "--no-prompt", "--config", config], env);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain(`${config} is ${GB} bytes, more than the limit of 1048576 bytes for a config file`);
  });
});

describe("numbers are bounded by the hardware and the schedule", () => {
  test.each([
    ["recording.interval", "0.001", ["--recording.duration", "0.05"], "recording.duration"],
    ["recording.interval", "0.001", [], "recording.interval"],
    ["recording.interval", "2", ["--recording.duration", "3"], "recording.interval (2) is below recording.duration (3)"],
    ["file_management.interval", "0.01", [], "file_management.interval"],
  ])("setup refuses %s %s, naming the key and the bound", (key, value, extra, mention) => {
    const setup = runAcoupi(["setup", "--program", "default", "--no-prompt", ...mic, ...extra, `--${key}`, value], env);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain(mention);
    expect(setup.stderr).toMatch(/>=\s*0\.1|>=\s*1|at least|below/);
  });

  test("config set refuses an interval shorter than the recording, and program.json stays as it was", () => {
    expect(runAcoupi(["setup", "--program", "default", "--no-prompt", ...mic], env).code).toBe(0);
    const before = readFileSync(join(home.acoupiHome, "config/program.json"));
    const set = runAcoupi(["config", "set", "recording.interval", "1"], env);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain("recording.interval (1) is below recording.duration (3): it must be at least recording.duration");
    expect(readFileSync(join(home.acoupiHome, "config/program.json")).equals(before)).toBe(true);
  });
});
