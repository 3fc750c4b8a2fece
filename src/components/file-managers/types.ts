/** @module FileManager: chooses where a kept recording goes. The first non-null path wins. */
import type { ModelOutput, Recording } from "../../data/index.ts";

/**
 * Contract: pure; returns an absolute destination path, or null for "not mine, try the next".
 * `previousPaths` gives where earlier versions filed the same recording (only read, to repair a
 * row after a crash); most managers have none.
 */
export type FileManager = ((recording: Recording, modelOutputs: readonly ModelOutput[]) => string | null) & {
  previousPaths?: (path: string) => string[];
};
