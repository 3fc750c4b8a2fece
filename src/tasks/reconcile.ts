/**
 * @module Reconcile on start: repairs what a crash interrupted in the life of a recording.
 * - a `.wav.part` with whole frames is finalised (sizes written, renamed); an empty one removed;
 * - a final `.wav` in temp with no row gets one, from its GUANO chunk and header;
 * - a temp row whose file is gone is resolved by the file management task (found at its
 *   destination, or marked missing).
 */
import { existsSync, readFileSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { ConsolaInstance } from "consola";
import type { RecordingStore } from "../components/stores/types.ts";
import { readGuano } from "../audio/guano.ts";
import { parseWav } from "../audio/wav.ts";
import { RecordingSchema, type Deployment, type Recording } from "../data/index.ts";
import { ownFilesUnder } from "../components/retention/own-files.ts";
import { finalisePart, fsyncDir, isPartFile, timeFromRecordingName } from "../audio/recording-file.ts";

export interface ReconcileCounts {
  finalised: number;
  removed: number;
  adopted: number;
}

/** A Recording row for a finished WAV that has none, from its GUANO chunk and header. */
function recordingFromFile(path: string, deployment: Deployment, timeExpansion: number): Recording {
  const bytes = new Uint8Array(readFileSync(path));
  const layout = parseWav(bytes);
  const guano = readGuano(bytes);
  const te = Number(guano?.get("TE") ?? timeExpansion) || 1;
  const samplerate = Number(guano?.get("Samplerate") ?? Math.round(layout.format.samplerate * te));
  const stamp = guano?.get("Timestamp");
  const created = stamp ? new Date(stamp) : timeFromRecordingName(path.split("/").pop() ?? "");
  const frames = layout.dataBytes / (layout.format.blockAlign || 2);
  return RecordingSchema.parse({
    id: crypto.randomUUID(),
    created_on: created && !Number.isNaN(created.getTime()) ? created : statSync(path).mtime,
    duration: frames / samplerate,
    samplerate,
    deployment,
    path,
    audio_channels: layout.format.channels,
    time_expansion: te,
  });
}

export function reconcileTemp(options: {
  tmpDir: string;
  store: RecordingStore;
  deployment: Deployment;
  timeExpansion: number;
  logger: ConsolaInstance;
}): ReconcileCounts {
  const { tmpDir, store, logger } = options;
  const counts: ReconcileCounts = { finalised: 0, removed: 0, adopted: 0 };
  if (!existsSync(tmpDir)) return counts;
  for (const name of readdirSync(tmpDir)) {
    if (!isPartFile(name)) continue;
    const path = join(tmpDir, name);
    try {
      if (finalisePart(path) === null) {
        unlinkSync(path);
        counts.removed++;
      } else counts.finalised++;
    } catch (error) {
      logger.warn(`Removing unreadable partial recording ${path}: ${(error as Error).message}`);
      unlinkSync(path);
      counts.removed++;
    }
  }
  // Regular files only: a symlink in temp leads to a file that is not ours.
  const wavs = readdirSync(tmpDir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".wav")).map((e) => join(tmpDir, e.name));
  const known = new Set(store.getRecordingsInfoByPath(wavs).map((r) => r.recording.path));
  for (const path of wavs) {
    if (known.has(path)) continue;
    try {
      store.storeRecording(recordingFromFile(path, options.deployment, options.timeExpansion));
      counts.adopted++;
    } catch (error) {
      logger.warn(`Cannot read ${path} to adopt it; leaving it in place: ${(error as Error).message}`);
    }
  }
  if (counts.finalised + counts.removed + counts.adopted > 0) {
    fsyncDir(tmpDir);
    logger.info(`Reconciled the temp folder: ${counts.finalised} partial files finalised, ${counts.removed} removed, ${counts.adopted} files adopted`);
  }
  return counts;
}

/**
 * After the metadata database was replaced by a fresh one (the old one was damaged), gives each
 * filed recording under `recordingsDir` a `saved` row again, from its GUANO chunk and header, so
 * the new database knows every recording on disk. Files it cannot read are left and logged. A
 * symlink (to a file or a folder, e.g. an archive) is never followed, and a WAV acoupi did not write
 * (no `Make: acoupi` in its GUANO) is left alone: neither is ours, and a row would let retention
 * delete it.
 */
export function adoptFiled(options: { recordingsDir: string; store: RecordingStore; deployment: Deployment; timeExpansion: number; logger: ConsolaInstance }): number {
  const { store, logger } = options;
  const wavs = ownFilesUnder(options.recordingsDir, ".wav");
  const known = new Set(store.getRecordingsInfoByPath(wavs).map((r) => r.recording.path));
  let adopted = 0;
  let foreign = 0;
  for (const path of wavs) {
    if (known.has(path)) continue;
    try {
      // Only what acoupi wrote (its GUANO `Make`) becomes a recording, which retention may delete.
      if (readGuano(new Uint8Array(readFileSync(path)))?.get("Make") !== "acoupi") {
        foreign++;
        continue;
      }
      const recording = recordingFromFile(path, options.deployment, options.timeExpansion);
      store.storeRecording(recording);
      store.updateRecordingPath(recording, path, "saved");
      adopted++;
    } catch (error) {
      logger.warn(`Cannot read ${path} to adopt it; leaving it in place: ${(error as Error).message}`);
    }
  }
  if (adopted > 0) logger.info(`Adopted ${adopted} filed recordings into the fresh metadata database`);
  if (foreign > 0) logger.warn(`Left ${foreign} WAV files under ${options.recordingsDir} alone: acoupi did not write them (no acoupi GUANO), so they are not recordings to keep or delete`);
  return adopted;
}
