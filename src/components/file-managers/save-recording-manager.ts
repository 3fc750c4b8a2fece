/**
 * @module saveRecordingManager: files recordings by how sure the model is (acoupi's
 * SaveRecordingManager). With no model outputs it goes to `dirpath`; otherwise the outputs are
 * read in order and the first with a detection ≥ `detection_threshold` sends it to
 * `dirpath_true`, or with one ≥ `saving_threshold` to `dirpath_false`; when no output reaches
 * either it returns null (not mine). The name is the UTC start formatted with `timeformat`,
 * plus `.wav`, sanitised so the format cannot add folders.
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { expandPath } from "../../config/types.ts";
import { compileStrftime } from "./_strftime.ts";
import { sanitizeFileName } from "./_sanitize.ts";
import type { FileManager } from "./types.ts";

export const SaveRecordingManagerSchema = z.object({
  dirpath: z.string().min(1).transform(expandPath).describe("Folder for recordings that no model has looked at"),
  dirpath_true: z.string().min(1).transform(expandPath).nullable().default(null).describe("Folder for confident detections (default <dirpath>/true_detections)"),
  dirpath_false: z.string().min(1).transform(expandPath).nullable().default(null).describe("Folder for doubtful detections (default <dirpath>/false_detections)"),
  timeformat: z.string().min(1).default("%Y%m%d_%H%M%S").describe("strftime format of the file name (UTC start of the recording)"),
  detection_threshold: z.number().min(0).max(1).default(0.6).describe("Detections scoring at least this go to dirpath_true"),
  saving_threshold: z.number().min(0).max(1).default(0.3).describe("Detections scoring at least this (but below detection_threshold) go to dirpath_false"),
});
export type SaveRecordingManagerConfig = z.output<typeof SaveRecordingManagerSchema>;

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
