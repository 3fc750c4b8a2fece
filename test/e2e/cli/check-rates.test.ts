/**
 * @module `acoupi check` and samplerates, with the real command and the fake microphone: a 500 kHz
 * program with the privacy screen and a 256 kHz model passes and says how each path is resampled;
 * setup refuses a model rate or a microphone rate above 500 kHz by key.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";

let home: TempHome;
let env: Record<string, string>;
beforeEach(() => {
  home = makeTempHome();
  const micRaw = join(home.home, "mic.raw");
  const ints = Int16Array.from({ length: 500_000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 40_000 * i) / 500_000)));
  writeFileSync(micRaw, new Uint8Array(ints.buffer));
  writeFileSync(join(home.home, "alsa.conf"), fakeMicConfig("ratemic", micRaw));
  env = { ...home.env, ACOUPI_ALSA_CONFIG: join(home.home, "alsa.conf") };
});
afterEach(() => home.cleanup());

function setUp(rate: number, modelRate: number, window: number, ...extra: string[]) {
  const model = join(home.home, "energy.onnx");
  writeFileSync(model, energyModel(Math.round(modelRate * window)));
  const labels = join(home.home, "labels.txt");
  writeFileSync(labels, "level\nenergy\n");
  return runAcoupi(
    ["setup", "--program", "detection", "--no-prompt", "--microphone.device_name", "ratemic", "--microphone.samplerate", String(rate),
      "--model.path", model, "--model.labels", labels, "--model.samplerate", String(modelRate), "--model.window", String(window), ...extra],
    env,
  );
}

describe("acoupi check and samplerates", () => {
  test("a 500 kHz microphone with the privacy screen and a 256 kHz model passes, naming each path's rates", () => {
    expect(setUp(500_000, 256_000, 0.5, "--privacy.enabled", "true").code).toBe(0);
    const check = runAcoupi(["check"], env);
    expect(check.stderr).not.toContain("Error");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('Opened capture device "ratemic": 500000 Hz, 1 channel granted');
    expect(check.stdout).toContain("the privacy screen reads the 500000 Hz audio resampled to 16000 Hz");
    expect(check.stdout).toContain('model "energy" reads the 500000 Hz audio resampled to 256000 Hz');
    expect(check.stdout).toContain("Health checks passed\n");
  }, 60_000);

  test("a model rate the resampler cannot serve is refused at setup by key, with the bound", () => {
    const result = setUp(384_000, 768_000, 0.01);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("model.samplerate");
    expect(result.stderr).toContain("500000");
    expect(result.stderr).not.toContain("bug");
    expect(runAcoupi(["config", "show"], env).code).not.toBe(0);
  }, 60_000);

  test("setup refuses a microphone rate above 500 kHz by key", () => {
    const result = setUp(600_000, 256_000, 0.5);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("microphone.samplerate");
    expect(result.stderr).toContain("500000");
  }, 30_000);
});
