/**
 * @module Fixtures for the `acoupi analyze` tests: a temp HOME, an energy model (scores mean|x| and
 * mean x² per window, so which windows pass a threshold is known) with its labels file, WAV
 * files with an optional GUANO chunk, and read-only queries of the analysis database.
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { guanoChunk } from "../../src/audio/guano.ts";
import { wavBytes } from "./model-fixtures.ts";
import { makeTempHome, runAcoupi, type CliResult, type TempHome } from "./cli.ts";
import { energyModel } from "./onnx-builder.ts";

export const RATE = 8000;

export interface AnalyzeRig {
  home: TempHome;
  dir: string;
  modelArgs: string[];
  run(args: string[]): CliResult;
  cleanup(): void;
}

/** A temp HOME with a 1 s-window energy model at 8 kHz and the `detection` program's flags to use it. */
export async function analyzeRig(prefix = "acoupi-analyze-"): Promise<AnalyzeRig> {
  const home = makeTempHome(prefix);
  const dir = join(home.home, "work");
  mkdirSync(dir, { recursive: true });
  const model = join(dir, "energy.onnx");
  await Bun.write(model, energyModel(RATE));
  const labels = join(dir, "labels.txt");
  await Bun.write(labels, "loud\npower\n");
  const modelArgs = [
    "--program", "detection", "--model.path", model, "--model.labels", labels,
    "--model.samplerate", String(RATE), "--model.window", "1", "--detections.threshold", "0.3",
  ];
  return { home, dir, modelArgs, run: (args) => runAcoupi(args, home.env, { cwd: dir, timeoutMs: 120_000 }), cleanup: () => home.cleanup() };
}

/** Seconds of a constant level: the energy model scores `level` (loud) and `level²` (power). */
export function levels(parts: Array<[seconds: number, level: number]>, rate = RATE): Float32Array {
  const out = new Float32Array(parts.reduce((n, [s]) => n + Math.round(s * rate), 0));
  let offset = 0;
  for (const [seconds, level] of parts) {
    const n = Math.round(seconds * rate);
    out.fill(level, offset, offset + n);
    offset += n;
  }
  return out;
}

/** A 16-bit WAV, with a `guan` chunk after the data when `guano` is given. */
export async function writeRecording(path: string, samples: Float32Array, rate: number, guano?: Array<[string, string]>): Promise<string> {
  const wav = wavBytes([samples], rate, "int16");
  if (guano === undefined) {
    await Bun.write(path, wav);
    return path;
  }
  const text = `GUANO|Version: 1.0\n${guano.map(([k, v]) => `${k}: ${v}`).join("\n")}\n`;
  const chunk = guanoChunk(text);
  const bytes = new Uint8Array(wav.byteLength + chunk.byteLength);
  bytes.set(wav);
  bytes.set(chunk, wav.byteLength);
  new DataView(bytes.buffer).setUint32(4, bytes.byteLength - 8, true);
  await Bun.write(path, bytes);
  return path;
}

export interface StoredDetection {
  file: string;
  created_on: string;
  samplerate: number;
  time_expansion: number;
  duration: number;
  start: number;
  end: number;
  low: number;
  high: number;
  score: number;
  label: string;
}

/** Every stored detection with its recording's file name and label (not its common_name tag), in a stable order. */
export function storedDetections(dbPath: string): StoredDetection[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .query(
        `SELECT r.path AS path, r.created_on, r.samplerate_hz AS samplerate, r.time_expansion, r.duration_s AS duration,
                d.start_time_s AS start, d.end_time_s AS end, d.low_freq_hz AS low, d.high_freq_hz AS high, d.detection_score AS score, t.value AS label
           FROM detections d JOIN model_outputs m ON m.id = d.model_output_id JOIN recordings r ON r.id = m.recording_id
           JOIN predicted_tags t ON t.detection_id = d.id AND t.key <> 'common_name'`,
      )
      .all() as Array<Omit<StoredDetection, "file"> & { path: string }>;
    return rows
      .map(({ path, ...rest }) => ({ file: path.slice(path.lastIndexOf("/") + 1), ...rest }))
      .sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start || a.label.localeCompare(b.label));
  } finally {
    db.close();
  }
}

export function count(dbPath: string, sql: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.query(`SELECT count(*) AS n FROM (${sql})`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
