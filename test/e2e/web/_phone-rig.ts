/**
 * @module The phone page test's rig: a feeder that plays a tone into the FIFO fake microphone at
 * real-time pace with an amplitude the test sets, the local date and hour of a time in the test's
 * zone (from Intl, independent of the page's code), and the detections the test plants in the
 * metadata database.
 */
import { Database } from "bun:sqlite";
import { closeSync, constants, copyFileSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

export const RATE = 16_000;
export const ZONE = "America/New_York";
export const HOSTILE = `<img src=x onerror="window.__xss=1">`;

/**
 * Feeds the FIFO microphone a 3 kHz tone at real-time pace, 100 ms at a time, at an amplitude the
 * test sets, and only while the recorder has the pipe open: data written before it opens would
 * wait in the pipe (up to 2 s of audio) and delay every later sample by as much.
 */
export class Feeder {
  amplitude = 1000;
  readonly #fifo: string;
  readonly #timer: ReturnType<typeof setInterval>;
  #fd: number | null = null;
  #phase = 0;
  #next = performance.now();

  constructor(fifo: string) {
    this.#fifo = fifo;
    this.#timer = setInterval(() => this.#feed(), 20);
  }

  #feed(): void {
    if (this.#fd === null) {
      try {
        // Write-only and non-blocking: fails with ENXIO while no reader has the pipe open.
        this.#fd = openSync(this.#fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        this.#next = performance.now();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENXIO") throw error;
        return;
      }
    }
    while (performance.now() >= this.#next) {
      const block = new Int16Array(RATE / 10);
      for (let i = 0; i < block.length; i++, this.#phase++) block[i] = Math.round(this.amplitude * Math.sin((2 * Math.PI * 3000 * this.#phase) / RATE));
      this.#next += 100;
      try {
        writeSync(this.#fd, new Uint8Array(block.buffer));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EPIPE") {
          // The recorder closed the pipe: wait for it to open it again.
          closeSync(this.#fd);
          this.#fd = null;
          return;
        }
        if (code !== "EAGAIN") throw error;
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
    if (this.#fd !== null) closeSync(this.#fd);
  }
}

export function local(iso: string): { date: string; hour: number } {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" });
  for (const part of f.formatToParts(new Date(iso))) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) };
}

export interface Planted {
  recordingId: string;
  recordingCreated: string;
  blackbird: string;
  crow: string;
  hostile: string;
  pastCreated: string;
}

/** Plants detections: three on the newest saved recording (two overlapping), and one on each of three copies dated 3 days ago. */
export function plant(dbPath: string, home: string, recordingsDir: string): Planted {
  const db = new Database(dbPath);
  db.run("PRAGMA busy_timeout = 10000");
  try {
    const r = db.query("SELECT id, created_on, path, path_root, deployment_id, duration_s FROM recordings WHERE state = 'saved' ORDER BY created_on DESC LIMIT 1").get() as {
      id: string; created_on: string; path: string; path_root: string | null; deployment_id: string; duration_s: number;
    };
    // Saved recordings are stored relative to the recordings folder; the planted copies by absolute path.
    const source = r.path_root === "recordings" ? join(recordingsDir, r.path) : r.path;
    const output = (recordingId: string, created: string) => {
      const id = crypto.randomUUID();
      db.run("INSERT INTO model_outputs (id, recording_id, name_model, created_on) VALUES (?, ?, 'planted', ?)", [id, recordingId, created]);
      return id;
    };
    const detection = (outputId: string, label: string, score: number, start: number, end: number) => {
      const id = crypto.randomUUID();
      db.run("INSERT INTO detections (id, model_output_id, prediction_type, start_time_s, low_freq_hz, end_time_s, high_freq_hz, detection_score) VALUES (?, ?, 'event', ?, 2000, ?, 4000, ?)", [id, outputId, start, end, score]);
      db.run("INSERT INTO predicted_tags (detection_id, key, value, confidence_score) VALUES (?, 'species', ?, ?)", [id, label, score]);
      return id;
    };
    const out = output(r.id, new Date().toISOString());
    const planted: Planted = {
      recordingId: r.id,
      recordingCreated: r.created_on,
      blackbird: detection(out, "Blackbird", 0.98, 2.5, 3.0),
      crow: detection(out, "Carrion Crow", 0.31, 2.4, 3.2),
      hostile: detection(out, HOSTILE, 0.5, 4.6, 4.9),
      pastCreated: "",
    };
    mkdirSync(join(home, "planted"), { recursive: true });
    const past = new Date(Date.now() - 3 * 86_400_000);
    past.setUTCHours(14, 20, 0, 0);
    for (let i = 0; i < 3; i++) {
      const id = crypto.randomUUID();
      const path = join(home, "planted", `${id}.wav`);
      copyFileSync(source, path);
      const created = new Date(past.getTime() + i * 60_000).toISOString();
      db.run("INSERT INTO recordings (id, deployment_id, created_on, duration_s, samplerate_hz, audio_channels, time_expansion, path, state) VALUES (?, ?, ?, ?, ?, 1, 1, ?, 'saved')", [id, r.deployment_id, created, r.duration_s, RATE, path]);
      detection(output(id, created), "Blackbird", 0.7, 1.0, 1.5);
      planted.pastCreated = created;
    }
    return planted;
  } finally {
    db.close();
  }
}

