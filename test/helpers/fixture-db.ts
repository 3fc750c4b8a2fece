/**
 * @module A small metadata database with known content for the listing, summary and export
 * tests, written by the real SqliteStore: two deployments, five recordings over two UTC days
 * (with one long break), and five detections with labels, scores and boxes. Ids are fixed so
 * the expected outputs can be written by hand.
 */
import { storeReads } from "./store-reads.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { wavHeader } from "../../src/audio/wav.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment, Detection, Recording } from "../../src/data/index.ts";

export const MEADOW: Deployment = {
  id: "00000000-0000-4000-8000-00000000d001",
  name: "meadow",
  latitude: 51.5,
  longitude: -0.1,
  started_on: new Date("2024-05-01T05:00:00.000Z"),
  ended_on: new Date("2024-05-02T07:30:00.000Z"),
};
export const WOOD: Deployment = { ...MEADOW, id: "00000000-0000-4000-8000-00000000d002", name: "wood", started_on: new Date("2024-05-02T07:45:00.000Z"), ended_on: null };

export const RECORDING_IDS = [1, 2, 3, 4, 5].map((n) => `00000000-0000-4000-8000-00000000a00${n}`);

function detection(n: number, label: string, score: number, box: [number, number, number, number] | null): Detection {
  return {
    id: `00000000-0000-4000-8000-00000000b00${n}`,
    prediction_type: box === null ? "presence" : "event",
    location: box === null ? null : { type: "BoundingBox", coordinates: box },
    detection_score: score,
    tags: [{ tag: { key: "species", value: label }, confidence_score: score }],
  };
}

export interface FixtureDb {
  path: string;
  recordings: Recording[];
}

/** A 1000-byte WAV (478 frames of a 2 kHz tone at 48 kHz) standing in for each recording's file. */
function smallWav(): Uint8Array {
  const samples = new Int16Array((1000 - 44) / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 2000 * i) / 48000));
  const data = new Uint8Array(samples.buffer);
  return Buffer.concat([wavHeader({ samplerate: 48000, channels: 1, bitsPerSample: 16 }, data.byteLength), data]);
}

/**
 * Writes the fixture database (and a 1000-byte WAV for each recording) into `dir`. With
 * `recordingsDir`, the files are filed under it by day (`YYYY/MM/DD/recN.wav`), saved, and the
 * store keeps their paths relative to it, as a sensor's runner does.
 */
export function writeFixtureDb(dir: string, options: { recordingsDir?: string } = {}): FixtureDb {
  const path = join(dir, "metadata.db");
  const roots = options.recordingsDir === undefined ? undefined : { recordings: options.recordingsDir, tmp: join(dir, "tmp") };
  const store = new SqliteStore({ db_metadata: path }, { synchronous: "NORMAL", roots });
  const times = ["2024-05-01T06:00:00.000Z", "2024-05-01T06:00:10.000Z", "2024-05-01T06:00:20.000Z", "2024-05-02T07:00:00.000Z", "2024-05-02T08:00:00.000Z"];
  const recordings: Recording[] = times.map((t, i) => ({
    id: RECORDING_IDS[i] as string,
    created_on: new Date(t),
    duration: 3,
    samplerate: 48000,
    deployment: i < 4 ? MEADOW : WOOD,
    path: roots === undefined ? join(dir, `rec${i + 1}.wav`) : join(roots.recordings, t.slice(0, 10).replaceAll("-", "/"), `rec${i + 1}.wav`),
    audio_channels: 1,
    time_expansion: 1,
    bit_depth: 16,
  }));
  for (const r of recordings) {
    store.storeRecording(r);
    mkdirSync(dirname(r.path as string), { recursive: true });
    writeFileSync(r.path as string, smallWav());
    if (roots !== undefined) store.updateRecordingPath(r, r.path, "saved");
  }
  storeReads(store).markRecording(RECORDING_IDS[2] as string, "discarded");
  const outputs: Array<[number, Detection[]]> = [
    [0, [detection(1, "Strix aluco", 0.9, [0.5, 1000, 1.5, 4000]), detection(2, "Troglodytes troglodytes", 0.4, [2, 3000, 2.75, 8000])]],
    [1, [detection(3, "Strix aluco", 0.7, [0, 800, 1, 3500])]],
    [3, [detection(4, "Troglodytes troglodytes", 0.95, null)]],
    [4, [detection(5, "Strix aluco", 0.6, [1.25, 500, 2.5, 2500])]],
  ];
  store.storeModelOutputs(
    outputs.map(([i, detections], k) => {
      const recording = recordings[i] as Recording;
      return { id: `00000000-0000-4000-8000-00000000c00${k + 1}`, name_model: "BirdNET", recording, detections, created_on: new Date(recording.created_on.getTime() + 5000) };
    }),
  );
  store.close();
  return { path, recordings };
}
