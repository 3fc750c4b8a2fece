import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { demoAudio, waitFor } from "../../helpers/deployment.ts";

function wavsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".wav"));
}

describe("kept recordings are filed in zero-padded date folders, named as configured", () => {
  let home: TempHome;
  let env: Record<string, string>;
  beforeAll(() => {
    home = makeTempHome();
    writeFileSync(join(home.home, "mic.raw"), demoAudio(10));
    writeFileSync(join(home.home, "alsa.conf"), fakeMicConfig("filemic", join(home.home, "mic.raw")));
    env = { ...home.env, ACOUPI_ALSA_CONFIG: join(home.home, "alsa.conf") };
  });
  afterAll(() => {
    runAcoupi(["stop"], env);
    home.cleanup();
  });

  test("AudioMoth-style YYYYMMDD_HHMMSS with the configured suffix, under YYYY/MM/DD", async () => {
    const setup = runAcoupi(
      [
        "setup", "--program", "default", "--no-prompt", "--timezone", "UTC",
        "--microphone.device_name", "filemic", "--microphone.samplerate", "16000",
        "--recording.duration", "0.5", "--recording.interval", "0.5",
        "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "1",
        "--file_management.filename_template", "{created_on:%Y%m%d_%H%M%S}_{device.id}_{id}.wav",
      ],
      env,
    );
    expect(setup.stderr).toBe("");
    expect(runAcoupi(["start", "--name", "filing", "--no-check", "--latitude", "51.5", "--longitude", "-0.1"], env).code).toBe(0);
    await waitFor("a recording in temp", () => wavsUnder(join(home.acoupiHome, "tmp")).length >= 1);
    expect(runAcoupi(["stop"], env).code).toBe(0);
    const recordings = join(home.acoupiHome, "storages/recordings");
    const filed = wavsUnder(recordings);
    expect(filed.length).toBeGreaterThanOrEqual(1);
    for (const path of filed) {
      expect(relative(recordings, join(recordings, path))).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\d{8}_\d{6}_test-device-0001_[0-9a-f-]{36}\.wav$/);
    }
  }, 30_000);
});
