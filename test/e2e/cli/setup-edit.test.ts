import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiCommand, makeTempHome, REPO, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";

let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
});
afterEach(() => home.cleanup());

function piped(args: string[], input: string) {
  const proc = Bun.spawnSync([...acoupiCommand(), ...args], { env: { ...process.env, ...home.env }, cwd: REPO, stdin: Buffer.from(input) });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}
const stored = () => JSON.parse(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8"));

describe("acoupi setup --edit KEY", () => {
  test("asks one answer again on a finished setup, checks it, and rewrites only that", () => {
    expect(runAcoupi(["setup", "--program", "default", "--no-prompt"], home.env).code).toBe(0);
    const edit = piped(["setup", "--edit", "recording.duration"], "-4\n7\n");
    expect(edit.code).toBe(0);
    expect(edit.stdout).toContain("Invalid value for recording.duration");
    expect(edit.stdout).toContain("Changed:\n  recording.duration: 3 → 7");
    expect(stored().recording.duration).toBe(7);
  }, 30_000);

  test("on an interrupted setup it updates the kept answers, and the resumed setup uses them", () => {
    // Two answers, then the input ends: the draft keeps them.
    const cut = piped(["setup", "--program", "default"], "Europe/Paris\ndefault\n");
    expect(cut.code).toBe(1);
    expect(existsSync(join(home.acoupiHome, "config/setup-draft.json"))).toBe(true);
    const edit = piped(["setup", "--edit", "timezone"], "Europe/Berlin\n");
    expect(edit.code).toBe(0);
    expect(edit.stdout).toContain("timezone is kept in the interrupted setup: run `acoupi setup --program default` to finish it");
    const draft = JSON.parse(readFileSync(join(home.acoupiHome, "config/setup-draft.json"), "utf8"));
    expect(draft.config.timezone).toBe("Europe/Berlin");
  }, 30_000);

  test("an unknown key is refused with the nearest keys", () => {
    expect(runAcoupi(["setup", "--program", "default", "--no-prompt"], home.env).code).toBe(0);
    const edit = piped(["setup", "--edit", "recording.duraton"], "5\n");
    expect(edit.code).toBe(1);
    expect(edit.stderr).toContain('Field "recording.duraton" is not a setting setup asks for');
    expect(edit.stderr).toContain("Did you mean recording.duration?");
  }, 30_000);
});

describe("setup's device question", () => {
  test("a capture device that does not exist is refused at once, listing the devices found, and asked again", () => {
    writeFileSync(join(home.home, ".asoundrc"), fakeMicConfig("fieldmic", "/dev/zero"));
    // timezone, then the device: a wrong one, then the one listed.
    const run = piped(["setup", "--program", "default"], ["UTC", "hw:7,0", "fieldmic", "", "", "", "", "", "", "", "", "", "", "", "n", "n", ""].join("\n"));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Cannot open capture device "hw:7,0": No such file or directory\n  Devices found:\n    fieldmic: any rate and channels (ALSA converts)\n  Please answer again');
    expect(run.stderr).not.toContain("ALSA lib");
    expect(stored().microphone.device_name).toBe("fieldmic");
  }, 30_000);
});

describe("the end of setup", () => {
  test("says in plain words what the configuration will record, keep and send", () => {
    const setup = runAcoupi(["setup", "--program", "connected", "--no-prompt", "--timezone", "Europe/London"], home.env);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain("What it will do:\n  Records 3 s every 10 s from 06:00 to 22:30 (Europe/London)\n");
    expect(setup.stdout).toContain("  Keeps every recording\n");
    expect(setup.stdout).toContain("  Sends nothing: no messenger (messaging.mqtt or messaging.http) is configured, so no message is queued");
    expect(setup.stdout).toContain("  When recordings pass 80% of the disk, deletes the oldest without detections first");
  }, 30_000);

  test("a site prefix names files <PREFIX>_YYYYMMDD_HHMMSS.wav; a bad one is refused and nothing is written", () => {
    const bad = runAcoupi(["setup", "--program", "default", "--no-prompt", "--site-prefix", "wood/07"], home.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The site prefix "wood/07" cannot be used in file names');
    expect(existsSync(join(home.acoupiHome, "config/program.json"))).toBe(false);
    expect(runAcoupi(["setup", "--program", "default", "--no-prompt", "--site-prefix", "WOOD-07"], home.env).code).toBe(0);
    expect(stored().file_management.filename_template).toBe("WOOD-07_{created_on:%Y%m%d_%H%M%S}.wav");
  }, 30_000);
});
