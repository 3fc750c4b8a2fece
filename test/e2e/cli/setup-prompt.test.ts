import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiCommand, makeTempHome, REPO, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { fakeMicConfig } from "../../helpers/fake-mic.ts";
import { runOnPty, type PtyStep } from "../../helpers/pty.ts";

const ENTER = "\r";
/** Waits for the prompt of `key` and types `answer` with Enter. */
const answer = (key: string, text: string): PtyStep => ({ expect: `${key.replace(/\./g, "\\.")}( \\[[^\\]\\n]*\\])?[^\\n]*: $`, send: `${text}${ENTER}` });
const yesNo = (key: string, text: string): PtyStep => ({ expect: `${key.replace(/\./g, "\\.")}\\? \\[[yYnN]/[yYnN]\\]: $`, send: `${text}${ENTER}` });
const choose = (text: string): PtyStep => ({ expect: "Choose 1-\\d+ or a value \\[[^\\]]*\\]: $", send: `${text}${ENTER}` });

let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
  // Setup opens the capture device it is given: three fake microphones in the temp HOME's asoundrc.
  writeFileSync(join(home.home, ".asoundrc"), ["micone", "mictwo", "micthree"].map((name) => fakeMicConfig(name, "/dev/zero")).join("\n"));
});
afterEach(() => home.cleanup());

function programJson(): Record<string, any> {
  return JSON.parse(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8"));
}

describe("interactive setup on a real terminal", () => {
  test("bad answers are asked again with the reason, the password is not echoed, TLS files are skipped after 'use TLS? n'", () => {
    const steps: PtyStep[] = [
      answer("timezone", "Mars/Olympus"),
      { expect: 'unknown time zone "Mars/Olympus"', send: "" },
      answer("timezone", "Europe/Berlin"),
      answer("microphone.device_name", "micone"),
      answer("microphone.samplerate", ""),
      answer("microphone.audio_channels", ""),
      answer("microphone.time_expansion", ""),
      answer("recording.duration", "-5"),
      { expect: "Invalid value for recording.duration: ", send: "" },
      answer("recording.duration", "5"),
      answer("recording.interval", "20"),
      answer("recording.schedule_start", "25:00"),
      { expect: "Invalid value for recording.schedule_start: expected a time as HH:MM", send: "" },
      answer("recording.schedule_start", "07:00"),
      answer("recording.schedule_end", ""),
      answer("paths.tmp_audio", ""),
      answer("paths.recordings", ""),
      answer("paths.db_metadata", ""),
      answer("storage.ceiling", ""),
      { expect: "privacy\\.enabled \\[y/N\\]: $", send: `n${ENTER}` },
      yesNo("recording_saving", "n"),
      answer("messaging.messages_db", ""),
      answer("messaging.message_send_interval", ""),
      answer("messaging.max_messages", ""),
      choose(""),
      answer("messaging.heartbeat_interval", ""),
      yesNo("messaging.http", "n"),
      yesNo("messaging.mqtt", "y"),
      answer("messaging.mqtt.host", ""),
      { expect: "Invalid value for messaging.mqtt.host: an answer is required", send: "" },
      answer("messaging.mqtt.host", "broker.local"),
      answer("messaging.mqtt.port", ""),
      answer("messaging.mqtt.username", "bob"),
      answer("messaging.mqtt.password", "s3cret-pw"),
      answer("messaging.mqtt.topic", ""),
      answer("messaging.mqtt.client_id", ""),
      answer("messaging.mqtt.qos", ""),
      { expect: "messaging\\.mqtt\\.use_tls \\[y/N\\]: $", send: `n${ENTER}` },
      answer("messaging.mqtt.timeout", ""),
      answer("messaging.outbox.max_rows", ""),
      answer("messaging.outbox.max_age_days", ""),
      answer("messaging.outbox.retention_days", ""),
      answer("site prefix", "WOOD-07"),
      { expect: 'Program "connected" is set up', send: "" },
    ];
    const run = runOnPty(["setup", "--program", "connected"], steps, { ...home.env, TZ: "America/Chicago" });
    if (run.failed) console.error(run.transcript.slice(-1500));
    expect(run.failed).toBeNull();
    expect(run.code).toBe(0);
    // The machine's own zone is the default, not Europe/London.
    expect(run.transcript).toContain("timezone [America/Chicago]");
    expect(run.transcript).not.toContain("s3cret-pw");
    for (const internal of ["ca_file", "cert_file", "key_file", "tls_verify", "max_bytes", "backoff_cap_s", "file_management", "transport"]) {
      expect(run.transcript).not.toContain(internal);
    }
    const config = programJson();
    expect(config.timezone).toBe("Europe/Berlin");
    expect(config.microphone.device_name).toBe("micone");
    expect(config.file_management.filename_template).toBe("WOOD-07_{created_on:%Y%m%d_%H%M%S}.wav");
    expect(config.recording).toMatchObject({ duration: 5, interval: 20, schedule_start: "07:00:00" });
    expect(config.messaging.mqtt).toMatchObject({ host: "broker.local", username: "bob", password: "s3cret-pw", use_tls: false });
    expect(statSync(join(home.acoupiHome, "config/program.json")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home.acoupiHome, "config/setup-draft.json"))).toBe(false);
  }, 60_000);

  test("Ctrl-C keeps the answers given, and the next setup resumes after them", () => {
    const first = runOnPty(
      ["setup", "--program", "default"],
      [answer("timezone", "Europe/Paris"), answer("microphone.device_name", "mictwo"), { ...answer("microphone.samplerate", ""), send: "\u0003" }],
      home.env,
    );
    expect(first.failed).toBeNull();
    expect(first.code).toBe(130);
    expect(first.transcript).toContain("Setup interrupted: 2 answers are kept");
    expect(existsSync(join(home.acoupiHome, "config/program.json"))).toBe(false);
    expect(statSync(join(home.acoupiHome, "config/setup-draft.json")).mode & 0o777).toBe(0o600);

    const steps: PtyStep[] = [
      yesNo("Resume the interrupted setup of default \\(2 answers kept\\)", ""),
      answer("microphone.samplerate", "96000"),
      ...["audio_channels", "time_expansion"].map((k) => answer(`microphone.${k}`, "")),
      ...["duration", "interval", "schedule_start", "schedule_end"].map((k) => answer(`recording.${k}`, "")),
      ...["tmp_audio", "recordings", "db_metadata"].map((k) => answer(`paths.${k}`, "")),
      answer("storage.ceiling", ""),
      { expect: "privacy\\.enabled \\[y/N\\]: $", send: ENTER },
      yesNo("recording_saving", ""),
      answer("site prefix", ""),
      { expect: 'Program "default" is set up', send: "" },
    ];
    const second = runOnPty(["setup", "--program", "default"], steps, home.env);
    expect(second.failed).toBeNull();
    expect(second.code).toBe(0);
    // The resumed answers were not asked again.
    expect(second.transcript).not.toContain("timezone [");
    expect(second.transcript).not.toContain("file_management");
    const config = programJson();
    expect(config.timezone).toBe("Europe/Paris");
    expect(config.microphone).toMatchObject({ device_name: "mictwo", samplerate: 96000 });
  }, 60_000);
});

describe("setup without a terminal", () => {
  function piped(args: string[], input: string) {
    const proc = Bun.spawnSync([...acoupiCommand(), ...args], { env: { ...process.env, ...home.env }, cwd: REPO, stdin: Buffer.from(input) });
    return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
  }

  test("piped answers are read line by line, and a bad one is asked again", () => {
    // timezone, device, rate, channels, expansion, duration (0, then 4), interval, schedule ×2,
    // paths ×3, storage.ceiling, privacy.enabled, recording_saving.
    const lines = ["UTC", "micthree", "", "", "", "0", "4", "", "", "", "", "", "", "", "", "n", "n"];
    const run = piped(["setup", "--program", "default"], `${lines.join("\n")}\n`);
    expect(run.stderr).toContain("Standard input is not a terminal: reading the answers line by line");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Invalid value for recording.duration");
    expect(programJson().microphone.device_name).toBe("micthree");
    expect(programJson().recording.duration).toBe(4);
  });

  test("no terminal and no answers: nothing is written, and the error says what to do", () => {
    const run = runAcoupi(["setup", "--program", "default"], home.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Standard input is not a terminal");
    expect(run.stderr).toContain("Setup was cancelled: the input closed");
    expect(run.stderr).toContain("--no-prompt");
    expect(existsSync(join(home.acoupiHome, "config/program.json"))).toBe(false);
  });

  test("a bad argument with --no-prompt is refused with help that works before setup", () => {
    const run = runAcoupi(["setup", "--program", "default", "--no-prompt", "--recording.duration", "-1"], home.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("recording.duration");
    expect(run.stderr).not.toContain("acoupi config set");
    expect(run.stderr).toContain("acoupi setup --program default --no-prompt");
  });
});
