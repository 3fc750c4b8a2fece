/**
 * @module A metadata database whose recordings each hold one planted tone, for the export tests
 * that check what a table says against the audio itself. Written by the real SqliteStore: one
 * deployment, RECORDINGS recordings of DURATION_S at RATE, recording i with a TONE_HZ tone from
 * toneStart(i) for TONE_S and a detection boxing it. The recordings in DELETED are then discarded
 * by the same store call file management uses (path cleared, file removed). Labels and the
 * deployment name can be set to hostile text. toneShare measures a planted tone in samples.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wavHeader } from "../../src/audio/wav.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment, Detection, Recording } from "../../src/data/index.ts";

export const RATE = 8000;
export const DURATION_S = 3;
export const TONE_HZ = 1000;
export const TONE_S = 0.3;
export const RECORDINGS = 6;
export const DELETED = new Set([1, 3]);

export function toneStart(i: number): number {
  return 0.4 + 0.35 * i;
}

export function toneWav(i: number): Uint8Array {
  const samples = new Int16Array(RATE * DURATION_S);
  const from = Math.round(toneStart(i) * RATE);
  const to = Math.round((toneStart(i) + TONE_S) * RATE);
  for (let n = from; n < to; n++) samples[n] = Math.round(12000 * Math.sin((2 * Math.PI * TONE_HZ * n) / RATE));
  return Buffer.concat([wavHeader({ samplerate: RATE, channels: 1, bitsPerSample: 16 }, samples.byteLength), new Uint8Array(samples.buffer)]);
}

export interface ToneDbOptions {
  labels?: (i: number) => string;
  deploymentName?: string;
  /** Extra detections per recording (to make exports large). */
  extraDetections?: number;
  /** Leave the store open (its last writes still in the -wal); the caller closes it. */
  keepOpen?: boolean;
}

export interface ToneDb {
  path: string;
  recordings: Recording[];
  store: SqliteStore | null;
}

export function writeToneDb(dir: string, options: ToneDbOptions = {}): ToneDb {
  const path = join(dir, "metadata.db");
  const store = new SqliteStore({ db_metadata: path }, { synchronous: "NORMAL" });
  // Kept open, the schema is checkpointed into the file and every row stays in the -wal.
  if (options.keepOpen) store.connection.run("PRAGMA wal_checkpoint(TRUNCATE)");
  const deployment: Deployment = {
    id: "00000000-0000-4000-8000-0000000000d1",
    name: options.deploymentName ?? "meadow",
    latitude: 51.5,
    longitude: -0.1,
    started_on: new Date("2024-05-01T05:00:00.000Z"),
    ended_on: null,
  };
  const recordings: Recording[] = [];
  for (let i = 0; i < RECORDINGS; i++) {
    const recording: Recording = {
      id: `00000000-0000-4000-8000-0000000a${String(i).padStart(4, "0")}`,
      created_on: new Date(Date.UTC(2024, 4, 1, 6, 0, i * DURATION_S)),
      duration: DURATION_S,
      samplerate: RATE,
      deployment,
      path: join(dir, `rec${i}.wav`),
      audio_channels: 1,
      time_expansion: 1,
      bit_depth: 16,
    };
    writeFileSync(recording.path as string, toneWav(i));
    store.storeRecording(recording);
    recordings.push(recording);
    const label = options.labels?.(i) ?? "Strix aluco";
    const detections: Detection[] = [
      {
        id: `00000000-0000-4000-8000-0000000b${String(i).padStart(4, "0")}`,
        prediction_type: "event",
        location: { type: "BoundingBox", coordinates: [toneStart(i), TONE_HZ - 100, toneStart(i) + TONE_S, TONE_HZ + 100] },
        detection_score: 0.9,
        tags: [{ tag: { key: "species", value: label }, confidence_score: 0.9 }],
      },
    ];
    for (let k = 0; k < (options.extraDetections ?? 0); k++) {
      detections.push({
        id: `00000000-0000-4000-8${String(i).padStart(3, "0")}-${String(k).padStart(12, "0")}`,
        prediction_type: "presence",
        location: null,
        detection_score: 0.5,
        tags: [{ tag: { key: "species", value: label }, confidence_score: 0.5 }],
      });
    }
    store.storeModelOutputs([{ id: `00000000-0000-4000-8000-0000000c${String(i).padStart(4, "0")}`, name_model: "BirdNET", recording, detections, created_on: new Date(recording.created_on.getTime() + 5000) }]);
  }
  for (const i of DELETED) {
    const recording = recordings[i] as Recording;
    store.updateRecordingPath(recording, null, "discarded");
    rmSync(recording.path as string);
  }
  if (options.keepOpen) return { path, recordings, store };
  store.close();
  return { path, recordings, store: null };
}

/** The share of the power of `samples[from, to)` at TONE_HZ: near 1 for the pure tone, 0 for silence. */
export function toneShare(samples: Int16Array, from: number, to: number): number {
  let re = 0;
  let im = 0;
  let power = 0;
  for (let n = from; n < to; n++) {
    const x = samples[n] ?? 0;
    re += x * Math.cos((2 * Math.PI * TONE_HZ * n) / RATE);
    im += x * Math.sin((2 * Math.PI * TONE_HZ * n) / RATE);
    power += x * x;
  }
  const len = to - from;
  return power === 0 ? 0 : (2 * (re * re + im * im)) / len / power;
}
