/** @module OutputCleaner: filters a ModelOutput before it is stored. Keeps the output's id. */
import type { ModelOutput } from "../../data/index.ts";

/** Contract: pure; returns a new ModelOutput with the same id and created_on. */
export type OutputCleaner = (output: ModelOutput) => ModelOutput;
