/**
 * @module `acoupi spectrogram FILE.wav|RECORDING_ID [--out x.png]`: draws a recording's
 * spectrogram as a PNG with labelled axes and its detections as boxes. A recording id is looked
 * up in the metadata database (for its file, time expansion and detections); a file path is
 * drawn as is, with the detections of the recording stored at that path when the database knows it.
 * `--start/--end` (seconds) and `--fmin/--fmax` (Hz), all real (time expansion undone), zoom in,
 * e.g. on a bat call of a few milliseconds.
 */
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { defineCommand } from "citty";
import { DB_ARGS } from "./_report-args.ts";
import { AcoupiError, ConfigError } from "../../errors.ts";
import { writeFileAtomic } from "../../system/atomic-write.ts";
import { metadataSource } from "../../report/metadata-db.ts";
import { openMetadataReadonly } from "../../components/stores/queries/open-metadata.ts";
import { findRecording, recordingAtPath, recordingDetections, type DetectionListRow } from "../../components/stores/queries/listings.ts";
import type { SpectrogramView } from "../../report/spectrogram/render.ts";
import { spectrogramPng, type SpectrogramSource } from "../../report/spectrogram/spectrogram-png.ts";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function fromDatabase(target: string, dbFlag: string | undefined, rootFlag: string | undefined): Promise<SpectrogramSource> {
  const source = await metadataSource(dbFlag, rootFlag);
  const db = openMetadataReadonly(source.path, source.roots);
  try {
    const recording = findRecording(db, target);
    if (recording === null) {
      throw new AcoupiError("not-found", `There is no recording ${target} in the metadata database`, { help: "Run `acoupi recordings` to list them" });
    }
    if (recording.path === null || !existsSync(recording.path)) {
      throw new AcoupiError("not-found", `Recording ${target} has no file on disk (state ${recording.state}, path ${recording.path ?? "none"})`, {
        help:
          recording.path === null
            ? "Only kept recordings can be drawn; see the saving filters in `acoupi config show`"
            : `Put the recordings folder beside the database as recordings/ (${source.roots.recordings}), or name it with --root DIR`,
      });
    }
    return { path: recording.path, timeExpansion: recording.time_expansion, detections: recordingDetections(db, recording.id), title: recording.created_on };
  } finally {
    db.close();
  }
}

async function detectionsAt(path: string, dbFlag: string | undefined, rootFlag: string | undefined): Promise<{ detections: DetectionListRow[]; timeExpansion?: number }> {
  let source: Awaited<ReturnType<typeof metadataSource>>;
  try {
    source = await metadataSource(dbFlag, rootFlag);
  } catch (error) {
    // A loose WAV file needs no set-up acoupi: draw it without detections.
    if (error instanceof AcoupiError && (error.code === "not-set-up" || error.code === "store")) return { detections: [] };
    throw error;
  }
  if (!existsSync(source.path)) return { detections: [] };
  const db = openMetadataReadonly(source.path, source.roots);
  try {
    const row = recordingAtPath(db, path, source.roots);
    return row === null ? { detections: [] } : { detections: recordingDetections(db, row.id), timeExpansion: row.time_expansion };
  } finally {
    db.close();
  }
}

const ZOOM_FLAGS = { start: "startS", end: "endS", fmin: "fminHz", fmax: "fmaxHz" } as const;

/** The zoom flags given, as a view; each must be a number ≥ 0. */
function viewFrom(args: Partial<Record<keyof typeof ZOOM_FLAGS, string>>): Partial<SpectrogramView> | undefined {
  const view: Partial<SpectrogramView> = {};
  for (const [flag, field] of Object.entries(ZOOM_FLAGS) as Array<[keyof typeof ZOOM_FLAGS, keyof SpectrogramView]>) {
    const raw = args[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`Invalid --${flag} "${raw}": expected a number ≥ 0 (${flag.startsWith("f") ? "Hz" : "seconds"})`, { key: flag });
    }
    view[field] = value;
  }
  return Object.keys(view).length === 0 ? undefined : view;
}

export default defineCommand({
  meta: { name: "spectrogram", description: "Draw a recording's spectrogram as a PNG: `acoupi spectrogram rec.wav --out rec.png`" },
  args: {
    target: { type: "positional", description: "A WAV file, or a recording id from `acoupi recordings`", required: true },
    out: { type: "string", description: "The PNG to write (default: the recording's name with .png, here)" },
    ...DB_ARGS,
    start: { type: "string", description: "Zoom: first second drawn (real time, from the recording's start)" },
    end: { type: "string", description: "Zoom: last second drawn (real time)" },
    fmin: { type: "string", description: "Zoom: lowest frequency drawn, in Hz (real frequency)" },
    fmax: { type: "string", description: "Zoom: highest frequency drawn, in Hz (real frequency)" },
  },
  async run({ args }) {
    const target = args.target;
    const view = viewFrom(args);
    let source: SpectrogramSource;
    if (existsSync(target)) {
      const path = resolve(target);
      source = { path, ...(await detectionsAt(path, args.db, args.root)) };
    } else if (UUID_RE.test(target)) {
      source = await fromDatabase(target, args.db, args.root);
    } else {
      throw new AcoupiError("not-found", `"${target}" is neither a file nor a recording id`, { help: "Pass a WAV file, or an id from `acoupi recordings`" });
    }
    const png = await spectrogramPng(view === undefined ? source : { ...source, view });
    const out = resolve(args.out ?? `${basename(source.path).replace(/\.wav$/i, "")}.png`);
    writeFileAtomic(out, png);
    process.stdout.write(`${out}\n`);
  },
});
