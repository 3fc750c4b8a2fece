/**
 * Done-when of issue 23: a backup taken while a detection deployment records and writes
 * detections holds every row committed before it started. A real `detection` deployment (fake
 * ALSA microphone, Silero VAD on each 0.5 s recording, a live Mosquitto) runs from source; the
 * test notes every id in both databases, runs `acoupi backup` while the runner goes on, and
 * counts them in the copy. The runner must keep recording during and after the backup.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { startMosquitto, type MosquittoBroker } from "../../helpers/mosquitto.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { demoAudio, SILERO_MODEL } from "../../helpers/deployment.ts";
import { sha256Check } from "../../helpers/backup-sensor.ts";

const TABLES = ["recordings", "model_outputs", "detections", "predicted_tags"] as const;

function ids(path: string, table: string, column = "id"): Set<string> {
  const db = new Database(path, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    return new Set(db.query<{ v: string | number }, []>(`SELECT ${column} AS v FROM ${table}`).all().map((r) => String(r.v)));
  } finally {
    db.close();
  }
}

describe("a backup taken under load", () => {
  let broker: MosquittoBroker;
  let d: Deployment;

  beforeAll(async () => {
    broker = await startMosquitto();
    const audio = demoAudio(600);
    d = deploy({ mic: new Int16Array(audio.buffer, audio.byteOffset, audio.byteLength / 2), prefix: "acoupi-backup-load-" });
  });

  afterAll(async () => {
    await d?.cleanup();
    await broker?.cleanup();
  });

  test("holds every row committed before it started, in both databases, while the runner keeps recording", async () => {
    const setup = d.run([
      "setup", "--program", "detection", "--no-prompt", "--timezone", "UTC",
      "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
      "--recording.duration", "0.5", "--recording.interval", "0.5",
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
      "--file_management.interval", "1",
      "--model.kind", "silero_vad", "--model.path", SILERO_MODEL, "--model.window", "0.5",
      "--detections.threshold", "0.5",
      "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", String(broker.port),
      "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "1",
    ]);
    expect(setup.code, said(setup)).toBe(0);
    const start = d.run(["start", "--name", "load", "--no-check"]);
    expect(start.code, said(start)).toBe(0);
    const storages = join(d.home.acoupiHome, "storages");
    const metadata = join(storages, "metadata.db");
    const messages = join(storages, "messages.db");
    await waitFor("detections and saved recordings", () => countRows(metadata, "SELECT id FROM detections") >= 5 && countRows(metadata, "SELECT id FROM recordings WHERE state = 'saved'") >= 5, 120_000);

    // Everything committed now must be in the backup that starts next.
    const before = Object.fromEntries(TABLES.map((t) => [t, ids(metadata, t)]));
    const outboxBefore = ids(messages, "messages");
    const out = join(d.home.home, "stick");
    const backup = d.run(["backup", "--out", out]);
    expect(backup.code, said(backup)).toBe(0);
    const recordedDuringBackup = countRows(metadata, "SELECT id FROM recordings");

    const copy = join(out, "metadata.db");
    for (const table of TABLES) {
      const copied = ids(copy, table);
      const missing = [...before[table]!].filter((id) => !copied.has(id));
      expect(missing, `${table}: ${missing.length} of ${before[table]!.size} rows missing`).toEqual([]);
    }
    const copiedMessages = ids(join(out, "messages.db"), "messages");
    expect([...outboxBefore].filter((id) => !copiedMessages.has(id))).toEqual([]);
    expect(before.detections!.size).toBeGreaterThanOrEqual(5);
    expect(sha256Check(out).code).toBe(0);
    // The saved recordings the copy names are in it, beside it.
    const db = new Database(copy, { readonly: true });
    const saved = db.query<{ path: string }, []>("SELECT path FROM recordings WHERE state = 'saved' AND path_root = 'recordings'").all();
    db.close();
    for (const row of saved.slice(0, 50)) expect(await Bun.file(join(out, "recordings", row.path)).exists()).toBe(true);

    // The runner went on recording.
    await waitFor("more recordings after the backup", () => countRows(metadata, "SELECT id FROM recordings") > recordedDuringBackup, 60_000);
    const stop = d.run(["stop"]);
    expect(stop.code, said(stop)).toBe(0);
  }, 240_000);
});
