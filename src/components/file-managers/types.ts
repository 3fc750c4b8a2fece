/** @module FileManager: chooses where a kept recording goes. The first non-null path wins. */
import type { ModelOutput, Recording } from "../../data/index.ts";

/** Contract: pure; returns an absolute destination path, or null for "not mine, try the next". */
export type FileManager = (recording: Recording, modelOutputs: readonly ModelOutput[]) => string | null;
