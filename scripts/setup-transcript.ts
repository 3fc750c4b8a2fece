/**
 * @module Records a first run as a person sees it, on a real pseudo-terminal
 * (test/helpers/pty-drive.py): `acoupi setup --program connected` with a few wrong answers on the
 * way (a time zone typo, a microphone that is not there, a broker given as a URL), then
 * `acoupi check`, `acoupi start`, `acoupi status` once a recording is made, and `acoupi stop`.
 * The home is a temp folder, the microphone a fake ALSA device, the broker a real Mosquitto on
 * loopback. Writes docs/transcripts/first-run.txt. Run: `bun scripts/setup-transcript.ts`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeMic, testSignal } from "../test/helpers/fake-mic.ts";
import { startMosquitto } from "../test/helpers/mosquitto.ts";

const repo = join(import.meta.dir, "..");
const home = mkdtempSync(join(tmpdir(), "acoupi-transcript-"));
const acoupiHome = join(home, ".acoupi");
const env = { ...process.env, HOME: home, ACOUPI_HOME: acoupiHome, NO_COLOR: "1", ACOUPI_SYSTEMD: "0", ACOUPI_DEVICE_ID: "rpi-sensor-07", TZ: "Europe/London", TERM: "dumb" };
const acoupi = [process.execPath, join(repo, "src/cli/main.ts")];
const broker = await startMosquitto();
const mic = await createFakeMic(testSignal(48_000 * 30), { device: "usbmic", parent: home });
writeFileSync(join(home, ".asoundrc"), mic.configText);

const key = (k: string) => `${k.replace(/\./g, "\\.")}( \\[[^\\]\\n]*\\])?: $`;
const steps: Array<{ expect: string; send: string }> = [
  { expect: key("timezone"), send: "Europe/Londn\r" },
  { expect: key("timezone"), send: "Europe/London\r" },
  { expect: key("microphone.device_name"), send: "plughw:1,0\r" },
  { expect: key("microphone.device_name"), send: "usbmic\r" },
  ...["samplerate", "audio_channels", "time_expansion"].map((k) => ({ expect: key(`microphone.${k}`), send: "\r" })),
  { expect: key("recording.duration"), send: "10\r" },
  { expect: key("recording.interval"), send: "5\r" },
  { expect: key("recording.interval"), send: "60\r" },
  { expect: key("recording.schedule_start"), send: "05:30\r" },
  { expect: key("recording.schedule_end"), send: "21:00\r" },
  ...["paths.tmp_audio", "paths.recordings", "paths.db_metadata", "storage.ceiling"].map((k) => ({ expect: key(k), send: "\r" })),
  { expect: "privacy\\.enabled \\[y/N\\]: $", send: "n\r" },
  { expect: "Configure recording_saving\\? \\[y/N\\]: $", send: "\r" },
  ...["messaging.messages_db", "messaging.message_send_interval", "messaging.max_messages"].map((k) => ({ expect: key(k), send: "\r" })),
  { expect: "Choose 1-2 or a value \\[oldest_first\\]: $", send: "\r" },
  { expect: key("messaging.heartbeat_interval"), send: "\r" },
  { expect: "Configure messaging.http\\? \\[y/N\\]: $", send: "n\r" },
  { expect: "Configure messaging.mqtt\\? \\[y/N\\]: $", send: "y\r" },
  { expect: key("messaging.mqtt.host"), send: `mqtt://127.0.0.1:${broker.port}\r` },
  ...["messaging.mqtt.username"].map((k) => ({ expect: key(k), send: "\r" })),
  ...["messaging.mqtt.topic", "messaging.mqtt.client_id", "messaging.mqtt.qos"].map((k) => ({ expect: key(k), send: "\r" })),
  { expect: "messaging\\.mqtt\\.use_tls \\[y/N\\]: $", send: "\r" },
  ...["messaging.mqtt.timeout", "messaging.outbox.max_rows", "messaging.outbox.max_age_days", "messaging.outbox.retention_days"].map((k) => ({ expect: key(k), send: "\r" })),
  { expect: key("site prefix"), send: "WOOD-07\r" },
  { expect: "Next: `acoupi check`, then `acoupi start`", send: "" },
];

function run(args: string[]): string {
  const proc = Bun.spawnSync([...acoupi, ...args], { env, cwd: home, stdin: "ignore" });
  const shown = args.map((a) => (/[\s,]/.test(a) ? `"${a}"` : a)).join(" ");
  return `$ acoupi ${shown}\n${proc.stdout.toString()}${proc.stderr.toString()}`;
}

try {
  const stepsFile = join(home, "steps.json");
  writeFileSync(stepsFile, JSON.stringify(steps));
  const drive = Bun.spawnSync(["python3", join(repo, "test/helpers/pty-drive.py"), stepsFile, "--", ...acoupi, "setup", "--program", "connected"], { env, cwd: home });
  const setup = JSON.parse(drive.stdout.toString()) as { transcript: string; code: number; failed: unknown };
  if (setup.failed !== null || setup.code !== 0) throw new Error(`setup did not finish: ${JSON.stringify(setup.failed)} (exit ${setup.code})\n${setup.transcript}`);
  const parts = [`$ acoupi setup --program connected\n${setup.transcript.replaceAll("\r\n", "\n").replaceAll("\r", "")}`, run(["check"])];
  parts.push(run(["start", "--name", "Wood 7, spring", "--latitude", "51.77", "--longitude", "-1.34", "--no-check"]));
  // Wait for the first recording, as a person would before looking.
  for (let i = 0; i < 60 && Bun.spawnSync([...acoupi, "status"], { env, cwd: home }).stdout.toString().includes("Last recording  none yet"); i++) await Bun.sleep(500);
  parts.push(run(["status"]), run(["stop"]));
  const text = parts.join("\n").replaceAll(home, "/home/pi").replaceAll(String(broker.port), "1883");
  mkdirSync(join(repo, "docs/transcripts"), { recursive: true });
  writeFileSync(join(repo, "docs/transcripts/first-run.txt"), text);
  process.stdout.write("Wrote docs/transcripts/first-run.txt\n");
} finally {
  Bun.spawnSync([...acoupi, "stop"], { env, cwd: home });
  await broker.cleanup();
  await mic.cleanup();
  rmSync(home, { recursive: true, force: true });
}
