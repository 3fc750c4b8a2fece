import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { demoAudio, waitFor } from "../../helpers/deployment.ts";

function wavsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".wav"));
}

describe("a live runner keeps the configuration it started with", () => {
  let home: TempHome;
  let env: Record<string, string>;
  const programJson = () => join(home.acoupiHome, "config/program.json");
  beforeAll(() => {
    home = makeTempHome();
    writeFileSync(join(home.home, "mic.raw"), demoAudio(30));
    writeFileSync(join(home.home, "alsa.conf"), fakeMicConfig("livemic", join(home.home, "mic.raw")));
    env = { ...home.env, ACOUPI_ALSA_CONFIG: join(home.home, "alsa.conf") };
    const setup = runAcoupi(
      [
        "setup", "--program", "default", "--no-prompt", "--timezone", "UTC",
        "--microphone.device_name", "livemic", "--microphone.samplerate", "16000",
        "--recording.duration", "0.5", "--recording.interval", "0.5",
        "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "1",
        "--file_management.interval", "3600",
      ],
      env,
    );
    expect(setup.stderr).toBe("");
  });
  afterAll(() => {
    runAcoupi(["stop"], env);
    home.cleanup();
  });

  test("setup, config set of opened keys and task run are refused; stop files into the folders the runner used", async () => {
    const start = runAcoupi(["start", "--name", "live", "--no-check", "--latitude", "51.5", "--longitude", "-0.1"], env);
    expect(start.stderr).toBe("");
    const tmp = join(home.acoupiHome, "tmp");
    const recordings = join(home.acoupiHome, "storages/recordings");
    await waitFor("three recordings in temp", () => wavsUnder(tmp).length >= 3);
    const before = readFileSync(programJson());

    const setup = runAcoupi(["setup", "--program", "test", "--no-prompt"], env);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain('A deployment is active ("live"');

    for (const [key, value] of [["paths.tmp_audio", join(home.home, "elsewhere")], ["microphone.device_name", "hw:9,0"], ["paths.db_metadata", join(home.home, "x.db")]]) {
      const set = runAcoupi(["config", "set", key as string, value as string], env);
      expect(set.code).toBe(1);
      expect(set.stderr).toContain(`Cannot change ${key} while the deployment "live" is active`);
      expect(set.stderr).toContain("Run `acoupi stop`");
    }
    expect(readFileSync(programJson()).equals(before)).toBe(true);

    const safe = runAcoupi(["config", "set", "recording.schedule_end", "23:00:00"], env);
    expect(safe.code).toBe(0);
    expect(safe.stdout).toContain('recording.schedule_end: "23:59:59" → "23:00:00"');
    expect(safe.stdout).toContain("the change applies when the runner next starts");

    const task = runAcoupi(["task", "run", "file_management_task"], env);
    expect(task.code).toBe(1);
    expect(task.stderr).toMatch(/The runner \(pid \d+\) is running/);
    expect(wavsUnder(recordings)).toEqual([]); // nothing was filed under the runner

    // program.json changed behind the runner's back (an editor, a fleet tool): stop must not follow it.
    const edited = JSON.parse(readFileSync(programJson(), "utf8"));
    edited.paths = { tmp_audio: join(home.home, "new-tmp"), recordings: join(home.home, "new-rec"), db_metadata: join(home.home, "new.db") };
    writeFileSync(programJson(), JSON.stringify(edited));

    const stop = runAcoupi(["stop"], env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("Ending with the configuration the runner started with");
    expect(wavsUnder(tmp)).toEqual([]);
    expect(wavsUnder(recordings).length).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(home.home, "new.db"))).toBe(false);
    const db = new Database(join(home.acoupiHome, "storages/metadata.db"), { readonly: true });
    try {
      const row = db.query("SELECT ended_on FROM deployments WHERE name = 'live'").get() as { ended_on: string | null } | null;
      expect(row?.ended_on).toBeTruthy();
    } finally {
      db.close();
    }
    expect(existsSync(join(home.acoupiHome, "run/runner-config.json"))).toBe(false);
  }, 60_000);
});
