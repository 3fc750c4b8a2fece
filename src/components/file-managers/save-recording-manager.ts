/**
 * @module saveRecordingManager: files recordings by how sure the model is (acoupi's
 * SaveRecordingManager). With no model outputs it goes to `dirpath`; otherwise the outputs are
 * read in order and the first with a detection ≥ `detection_threshold` sends it to
 * `dirpath_true`, or with one ≥ `saving_threshold` to `dirpath_false`; when no output reaches
 * either it returns null (not mine). The name is the UTC start formatted with `timeformat`,
 * plus `.wav`, sanitised so the format cannot add folders.
 */
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { expandPath } from "../../config/types.ts";
import { compileStrftime } from "./_strftime.ts";
import { sanitizeFileName } from "./_sanitize.ts";
import type { FileManager } from "./types.ts";

/** A sub-folder of the recordings folder, so a value can never file recordings outside storage. */
const subFolder = z
  .string()
  .min(1)
  .refine((dir) => !isAbsolute(dir) && !dir.split(/[\\/]/).includes(".."), {
    message: "expected a sub-folder of paths.recordings (no leading / and no ..)",
  });

/**
 * acoupi_birdnet's `saving_managers` section: this manager with its folders given as sub-folders
 * of `paths.recordings`. The one home of these fields; presets change the defaults with
 * `withDefaults`.
 */
export const SavingManagersSchema = z.object({
  true_dir: subFolder.default("true_detections").describe("Sub-folder of paths.recordings for confident detections"),
  false_dir: subFolder.default("false_detections").describe("Sub-folder of paths.recordings for the rest that is kept"),
  timeformat: z.string().min(1).default("%Y%m%d_%H%M%S").describe("strftime format of the file names (UTC start of the recording)"),
  detection_threshold: z.number().min(0).max(1).default(0.6).describe("Detections at least this sure go to true_dir"),
  saving_threshold: z.number().min(0).max(1).default(0.3).describe("Recordings with no detection at least this sure are deleted"),
});
export type SavingManagersConfig = z.output<typeof SavingManagersSchema>;

/** The manager a `saving_managers` section describes, filing under `recordingsDir`. */
export function savingManagersFromConfig(section: SavingManagersConfig, recordingsDir: string): FileManager {
  return saveRecordingManager({
    dirpath: recordingsDir,
    dirpath_true: join(recordingsDir, section.true_dir),
    dirpath_false: join(recordingsDir, section.false_dir),
    timeformat: section.timeformat,
    detection_threshold: section.detection_threshold,
    saving_threshold: section.saving_threshold,
  });
}

export interface SaveRecordingManagerOptions {
  dirpath: string;
  dirpath_true?: string | null;
  dirpath_false?: string | null;
  timeformat?: string;
  detection_threshold?: number;
  saving_threshold?: number;
}

/** Throws ConfigError when `timeformat` has a directive the formatter does not know. */
export function saveRecordingManager(config: SaveRecordingManagerOptions): FileManager {
  const dirpath = resolve(expandPath(config.dirpath));
  const dirTrue = config.dirpath_true ? resolve(expandPath(config.dirpath_true)) : join(dirpath, "true_detections");
  const dirFalse = config.dirpath_false ? resolve(expandPath(config.dirpath_false)) : join(dirpath, "false_detections");
  const detectionThreshold = config.detection_threshold ?? 0.6;
  const savingThreshold = config.saving_threshold ?? 0.3;
  const format = compileStrftime(config.timeformat ?? "%Y%m%d_%H%M%S", "timeformat");
  return (recording, modelOutputs) => {
    const name = sanitizeFileName(`${format(recording.created_on)}.wav`);
    if (modelOutputs.length === 0) return join(dirpath, name);
    for (const output of modelOutputs) {
      const scores = output.detections.map((detection) => detection.detection_score);
      if (scores.some((score) => score >= detectionThreshold)) return join(dirTrue, name);
      if (scores.some((score) => score >= savingThreshold)) return join(dirFalse, name);
    }
    return null;
  };
}
