/**
 * @module The demo (README command 1): a whole deployment of the `detection` program on a
 * simulated microphone, for about 20 s. The microphone is an ALSA `file` PCM that replays the
 * bundled clip (assets/demo-clip.raw: speech, silence and a tone); the model is Silero VAD,
 * run with onnxruntime-web; detection messages go to an HTTP endpoint this script serves on
 * 127.0.0.1. At the end it prints what was recorded, where, and what was detected and sent.
 */
import { Database } from "bun:sqlite";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const SECONDS = Number(process.env.ACOUPI_DEMO_SECONDS ?? 20);
const home = join(ROOT, ".tmp", "demo");
rmSync(home, { recursive: true, force: true });
mkdirSync(home, { recursive: true });

// The simulated microphone: the clip three times over, so the whole run has audio.
const clip = readFileSync(join(ROOT, "assets/demo-clip.raw"));
const input = join(home, "microphone.raw");
writeFileSync(input, Buffer.concat([clip, clip, clip]));
const alsaConfig = join(home, "alsa.conf");
writeFileSync(
  alsaConfig,
  `pcm.demomic {\n  type file\n  slave { pcm { type null } }\n  file "/dev/null"\n  infile ${JSON.stringify(input)}\n  format "raw"\n}\n`,
);

// A backend that receives the detection messages and heartbeats.
const received: Array<{ kind: string; body: Record<string, unknown> }> = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    if (request.method !== "POST") return new Response(null, { status: 204, headers: { Allow: "POST, OPTIONS" } });
    const body = (await request.json()) as Record<string, unknown>;
    received.push({ kind: "detections" in body ? "detection" : "sent_on" in body ? "heartbeat" : "summary", body });
    return new Response("ok");
  },
});

const env = {
  ...process.env,
  ACOUPI_HOME: join(home, "acoupi"),
  ACOUPI_ALSA_CONFIG: alsaConfig,
  ACOUPI_DEVICE_ID: "demo-device",
  NO_COLOR: "1",
};
const acoupi = [process.execPath, join(ROOT, "src/cli/main.ts")];
/** Runs acoupi as a child without blocking this process, which serves the HTTP backend. */
async function run(args: string[]): Promise<string> {
  const proc = Bun.spawn([...acoupi, ...args], { env, stderr: "pipe", stdout: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) {
    process.stderr.write(stdout + stderr);
    throw new Error(`acoupi ${args.join(" ")} failed with exit code ${code}`);
  }
  return stdout;
}

const model = join(ROOT, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");
console.log(`▶ acoupi setup --program detection (simulated microphone, Silero VAD, messages to ${server.url.href})`);
await run([
  "setup", "--program", "detection", "--no-prompt",
  "--microphone.device_name", "demomic", "--microphone.samplerate", "16000",
  "--recording.duration", "3", "--recording.interval", "3",
  "--recording.schedule_start", "00:00", "--recording.schedule_end", "23:59:59",
  "--file_management.interval", "4",
  "--model.kind", "silero_vad", "--model.path", model, "--model.window", "0.5",
  "--detections.threshold", "0.5",
  "--messaging.http.base_url", server.url.href, "--messaging.message_send_interval", "3", "--messaging.heartbeat_interval", "10",
]);
console.log("▶ acoupi check");
process.stdout.write(await run(["check"]));
console.log(`▶ acoupi start --name demo --latitude 51.5 --longitude -0.12  (running for ${SECONDS} s)`);
process.stdout.write(await run(["start", "--name", "demo", "--latitude", "51.5", "--longitude", "-0.12", "--no-check"]));
await Bun.sleep(SECONDS * 1000);
console.log("▶ acoupi status");
process.stdout.write(await run(["status"]));
console.log("▶ acoupi stop");
process.stdout.write(await run(["stop"]));
server.stop(true);

const db = new Database(join(home, "acoupi/storages/metadata.db"), { readonly: true });
const recordings = db.query("SELECT id, created_on, path, state FROM recordings ORDER BY created_on").all() as Array<{ id: string; created_on: string; path: string | null; state: string }>;
console.log(`\n${recordings.length} recordings:`);
for (const r of recordings) console.log(`  ${r.created_on}  ${r.state.padEnd(9)} ${r.path ?? "(deleted)"}`);
const detections = db
  .query(
    `SELECT r.created_on AS rec, d.start_time_s AS start, d.end_time_s AS end, t.value AS label, d.detection_score AS score
       FROM detections d JOIN model_outputs m ON m.id = d.model_output_id JOIN recordings r ON r.id = m.recording_id
       JOIN predicted_tags t ON t.detection_id = d.id ORDER BY r.created_on, d.start_time_s`,
  )
  .all() as Array<{ rec: string; start: number; end: number; label: string; score: number }>;
console.log(`\n${detections.length} detections (recording start, window, label, score):`);
for (const d of detections) console.log(`  ${d.rec}  ${d.start.toFixed(1)}–${d.end.toFixed(1)} s  ${d.label}  ${d.score.toFixed(2)}`);
const counts = received.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.kind]: (acc[m.kind] ?? 0) + 1 }), {});
console.log(`\nMessages received by the HTTP backend: ${JSON.stringify(counts)}`);
console.log(`\nEverything is under ${home} (ACOUPI_HOME=${env.ACOUPI_HOME}).`);
